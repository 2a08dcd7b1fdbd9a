package org.lims.consumer.observe;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.bson.Document;
import org.lims.consumer.config.Redact;

/**
 * Readiness as an operator means it: the Kafka consumer holds partitions and MongoDB answers.
 * Served at {@code /observe/health/ready} by camel-main's management server.
 */
public final class ReadinessChecks {

    private ReadinessChecks() {
    }

    /** UP once the consumer group gave this instance at least one partition. */
    public static class KafkaAssignment extends AbstractHealthCheck {
        private final KafkaConsumerWatch kafka;

        public KafkaAssignment(KafkaConsumerWatch kafka) {
            super("lims", "kafka-assignment");
            this.kafka = kafka;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            int partitions = kafka.assignedPartitions();
            builder.detail("partitions", partitions);
            if (partitions == 0) {
                builder.message("the Kafka consumer has no partitions assigned").down();
            } else {
                builder.up();
            }
        }
    }

    /** UP while MongoDB answers a ping within a second (a probe must not hang on a dead server). */
    public static class MongoPing extends AbstractHealthCheck implements AutoCloseable {
        private final MongoClient client;
        private final String uri;

        public MongoPing(String uri) {
            super("lims", "mongodb");
            this.uri = uri;
            this.client = MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(uri))
                    .applyToClusterSettings(b -> b.serverSelectionTimeout(1, TimeUnit.SECONDS))
                    .applyToSocketSettings(b -> b.connectTimeout(1, TimeUnit.SECONDS).readTimeout(2, TimeUnit.SECONDS))
                    .build());
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            try {
                client.getDatabase("admin").runCommand(new Document("ping", 1));
                builder.up();
            } catch (RuntimeException e) {
                builder.message("MongoDB at " + Redact.uri(uri) + " does not answer: " + e.getClass().getSimpleName()).down();
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
