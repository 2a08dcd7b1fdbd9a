package org.lims.consumer.observe;

import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    /**
     * Bean {@code readiness}: the same checks as {@code lims_consumer_ready} (1 ready, 0 not), refreshed by the
     * {@code observe-lag} route, so that alerting does not depend on probing the pod.
     */
    public static class Gauge {
        private final java.util.List<AbstractHealthCheck> checks;
        private final java.util.concurrent.atomic.AtomicInteger ready = new java.util.concurrent.atomic.AtomicInteger();

        public Gauge(io.micrometer.core.instrument.MeterRegistry registry, AbstractHealthCheck... checks) {
            this.checks = java.util.List.of(checks);
            io.micrometer.core.instrument.Gauge.builder("lims.consumer.ready", ready, java.util.concurrent.atomic.AtomicInteger::get)
                    .description("1 when the consumer holds partitions and MongoDB answers, else 0").register(registry);
        }

        public void refresh() {
            boolean up = checks.stream().allMatch(c -> c.call().getState() == org.apache.camel.health.HealthCheck.State.UP);
            ready.set(up ? 1 : 0);
        }
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

        /** @param base the app's MongoDB settings (URI, credential, TLS); short timeouts are applied on top */
        public MongoPing(String uri, MongoClientSettings.Builder base) {
            super("lims", "mongodb");
            this.uri = uri;
            this.client = MongoClients.create(base
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
