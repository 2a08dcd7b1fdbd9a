package org.lims.consumer.dev;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.lims.consumer.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev launcher's default: a real Kafka broker (KRaft) and a MongoDB-wire server started in
 * this JVM before the application's start-up checks, each only when its address is not
 * configured. Their addresses are handed to the application as if an operator had set
 * {@code lims.kafka.brokers} and {@code lims.mongodb.uri}.
 */
public final class EmbeddedInfrastructure extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private EmbeddedKafka kafka;
    private EmbeddedMongo mongo;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        Settings settings = new Settings(main.getCamelContext().getPropertiesComponent());
        Path dataDir = Path.of(settings.get("lims.embedded.data-dir").orElse("data"));
        if (settings.get(Settings.KAFKA_BROKERS).isEmpty()) {
            kafka = EmbeddedKafka.start(settings.integer("lims.embedded.kafka-port", 9092), dataDir.resolve("kafka"));
            List<String> topics = Arrays.stream(settings.require(Settings.KAFKA_TOPICS).split(",")).map(String::trim).toList();
            kafka.createTopics(topics, settings.integer(Settings.TOPIC_PARTITIONS, 3));
            settings.override(Settings.KAFKA_BROKERS, kafka.bootstrapServers());
        }
        if (settings.get(Settings.MONGODB_URI).isEmpty()) {
            boolean memory = "memory".equalsIgnoreCase(settings.get("lims.embedded.mongodb-backend").orElse("h2"));
            mongo = EmbeddedMongo.start(settings.integer("lims.embedded.mongodb-port", 27017),
                    memory ? null : dataDir.resolve("mongodb.mv"));
            settings.override(Settings.MONGODB_URI, mongo.connectionString());
        }
        String banner = "Embedded infrastructure: Kafka broker on " + (kafka == null ? "(external)" : kafka.bootstrapServers())
                + ", MongoDB-wire server on " + (mongo == null ? "(external)" : mongo.connectionString());
        LOG.info(banner);
        System.out.println(banner);
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (kafka != null) {
            kafka.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }
}
