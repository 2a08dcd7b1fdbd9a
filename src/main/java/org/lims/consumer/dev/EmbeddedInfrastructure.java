package org.lims.consumer.dev;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.lims.consumer.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev profile's default: a real Kafka broker (KRaft) and a MongoDB-wire server started in
 * this JVM before the routes, each only when its address is not configured. Their addresses are
 * handed to the application as if an operator had set {@code lims.kafka.brokers} and
 * {@code lims.mongodb.uri}.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private EmbeddedKafka kafka;
    private EmbeddedMongo mongo;

    public static EmbeddedInfrastructure start(Settings settings) {
        EmbeddedInfrastructure infra = new EmbeddedInfrastructure();
        Path dataDir = Path.of(settings.get("lims.embedded.data-dir").orElse("data"));
        if (settings.get(Settings.KAFKA_BROKERS).isEmpty()) {
            infra.kafka = EmbeddedKafka.start(settings.integer("lims.embedded.kafka-port", 9092), dataDir.resolve("kafka"));
            List<String> topics = new ArrayList<>(Arrays.stream(settings.require(Settings.KAFKA_TOPICS).split(","))
                    .map(String::trim).toList());
            infra.kafka.createTopics(topics, settings.integer(Settings.TOPIC_PARTITIONS, 3));
            settings.override(Settings.KAFKA_BROKERS, infra.kafka.bootstrapServers());
        }
        if (settings.get(Settings.MONGODB_URI).isEmpty()) {
            boolean memory = "memory".equalsIgnoreCase(settings.get("lims.embedded.mongodb-backend").orElse("h2"));
            infra.mongo = EmbeddedMongo.start(settings.integer("lims.embedded.mongodb-port", 27017),
                    memory ? null : dataDir.resolve("mongodb.mv"));
            settings.override(Settings.MONGODB_URI, infra.mongo.connectionString());
        }
        String banner = "Embedded infrastructure: Kafka broker on " + (infra.kafka == null ? "(external)" : infra.kafka.bootstrapServers())
                + ", MongoDB-wire server on " + (infra.mongo == null ? "(external)" : infra.mongo.connectionString());
        LOG.info(banner);
        System.out.println(banner);
        return infra;
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }
}
