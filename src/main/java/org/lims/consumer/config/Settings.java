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
    public static final String DLQ_REPLAY_GROUP_ID = "lims.kafka.dlq-replay-group-id";
    public static final String MANAGEMENT_PORT = "lims.management.port";
    public static final String TOPIC_PARTITIONS = "lims.kafka.topic-partitions";

    /** The Kafka security settings a failed login or an untrusted certificate names. */
    public static final String KAFKA_SASL_MECHANISM = "lims.kafka.sasl-mechanism";
    public static final String KAFKA_SASL_JAAS_CONFIG = "lims.kafka.sasl-jaas-config";
    public static final String KAFKA_SSL_TRUSTSTORE = "lims.kafka.ssl-truststore-location";

    /**
     * Kafka security: {@code lims.kafka.<setting>} -> the camel-kafka component option it sets (so the
     * consumer and the dead-letter producer get it) and the Kafka client key the start-up and DLQ admin
     * clients get. Unset settings set nothing (Kafka's defaults: PLAINTEXT).
     */
    public static final String[][] KAFKA_SECURITY = {
        {"lims.kafka.security-protocol", "securityProtocol", "security.protocol"},
        {KAFKA_SASL_MECHANISM, "saslMechanism", "sasl.mechanism"},
        {KAFKA_SASL_JAAS_CONFIG, "saslJaasConfig", "sasl.jaas.config"},
        {KAFKA_SSL_TRUSTSTORE, "sslTruststoreLocation", "ssl.truststore.location"},
        {"lims.kafka.ssl-truststore-password", "sslTruststorePassword", "ssl.truststore.password"},
        {"lims.kafka.ssl-truststore-type", "sslTruststoreType", "ssl.truststore.type"},
        {"lims.kafka.ssl-keystore-location", "sslKeystoreLocation", "ssl.keystore.location"},
        {"lims.kafka.ssl-keystore-password", "sslKeystorePassword", "ssl.keystore.password"},
        {"lims.kafka.ssl-keystore-type", "sslKeystoreType", "ssl.keystore.type"},
        {"lims.kafka.ssl-key-password", "sslKeyPassword", "ssl.key.password"},
        {"lims.kafka.ssl-endpoint-identification-algorithm", "sslEndpointAlgorithm", "ssl.endpoint.identification.algorithm"},
    };

    /** MongoDB credentials and TLS beside the URI (the URI's own user:password@, tls=true... work too). */
    public static final String MONGODB_USERNAME = "lims.mongodb.username";
    public static final String MONGODB_PASSWORD = "lims.mongodb.password";
    public static final String MONGODB_AUTH_SOURCE = "lims.mongodb.auth-source";
    public static final String MONGODB_TLS_ENABLED = "lims.mongodb.tls.enabled";
    public static final String MONGODB_TLS_ALLOW_INVALID_HOSTNAMES = "lims.mongodb.tls.allow-invalid-hostnames";
    public static final String MONGODB_TLS_TRUSTSTORE = "lims.mongodb.tls.truststore-location";
    public static final String MONGODB_TLS_TRUSTSTORE_PASSWORD = "lims.mongodb.tls.truststore-password";
    public static final String MONGODB_TLS_TRUSTSTORE_TYPE = "lims.mongodb.tls.truststore-type";
    public static final String MONGODB_TLS_KEYSTORE = "lims.mongodb.tls.keystore-location";
    public static final String MONGODB_TLS_KEYSTORE_PASSWORD = "lims.mongodb.tls.keystore-password";
    public static final String MONGODB_TLS_KEYSTORE_TYPE = "lims.mongodb.tls.keystore-type";

    /**
     * Reconciliation with the producer database: on when {@link #PRODUCER_MONGODB_URI} is set. The producer
     * client takes the consumer's credential and TLS settings under this prefix
     * ({@code lims.producer.mongodb.username}, {@code lims.producer.mongodb.tls.truststore-location}, ...).
     */
    public static final String PRODUCER_MONGODB_PREFIX = "lims.producer.mongodb.";
    public static final String PRODUCER_MONGODB_URI = PRODUCER_MONGODB_PREFIX + "uri";
    public static final String PRODUCER_MONGODB_DATABASE = PRODUCER_MONGODB_PREFIX + "database";
    /** Derived at start-up (never set by hand): true when {@link #PRODUCER_MONGODB_URI} is set; the reconcile routes' precondition. */
    public static final String RECONCILE_ENABLED = "lims.reconcile.enabled";

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

    public double decimal(String key, double fallback) {
        return get(key).map(Double::parseDouble).orElse(fallback);
    }

    /** lims.mongodb.tls.enabled -> lims.producer.mongodb.tls.enabled: the producer client's copy of a consumer client setting. */
    public static String producerKey(String consumerKey) {
        return PRODUCER_MONGODB_PREFIX + consumerKey.substring("lims.mongodb.".length());
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
