package org.lims.consumer.config;

import java.util.Optional;

import org.apache.camel.spi.PropertiesComponent;

/** Reads the application's own settings, naming the environment variable an operator would set. */
public final class Settings {

    public static final String KAFKA_BROKERS = "lims.kafka.brokers";
    public static final String MONGODB_URI = "lims.mongodb.uri";
    public static final String MONGODB_DATABASE = "lims.mongodb.database";
    public static final String KAFKA_TOPICS = "lims.kafka.topics";
    public static final String TOPIC_PREFIX = "lims.kafka.topic-prefix";
    public static final String DLQ_TOPIC = "lims.kafka.dlq-topic";
    public static final String TOPIC_PARTITIONS = "lims.kafka.topic-partitions";
    public static final String EMBEDDED = "lims.embedded.enabled";

    private final PropertiesComponent properties;

    public Settings(PropertiesComponent properties) {
        this.properties = properties;
    }

    public Optional<String> get(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String require(String key) {
        return get(key).orElseThrow(() -> new StartupException(envName(key) + " (" + key + ") is not set"));
    }

    public boolean flag(String key) {
        return get(key).map(Boolean::parseBoolean).orElse(false);
    }

    public int integer(String key, int fallback) {
        return get(key).map(Integer::parseInt).orElse(fallback);
    }

    public void override(String key, String value) {
        properties.addOverrideProperty(key, value);
    }

    /** lims.kafka.brokers -> LIMS_KAFKA_BROKERS, the convention Camel's env override follows. */
    public static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A start-up problem an operator fixes by configuration: reported as one line, without a stack trace. */
    public static class StartupException extends RuntimeException {
        public StartupException(String message) {
            super(message);
        }
    }
}
