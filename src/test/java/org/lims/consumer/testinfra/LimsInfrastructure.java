package org.lims.consumer.testinfra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.lims.consumer.dev.EmbeddedKafka;
import org.lims.consumer.dev.EmbeddedMongo;

/**
 * One real Kafka broker (KRaft) and one MongoDB-wire server for the whole test run, shared by
 * every test class and started on first use. {@code LIMS_MONGODB_URI} (and {@code LIMS_KAFKA_BROKERS})
 * point the suite at real servers instead. Tests isolate themselves by topic prefix, consumer
 * group and database name, never by restarting the shared servers.
 */
public final class LimsInfrastructure implements BeforeAllCallback {

    private static EmbeddedKafka kafka;
    private static EmbeddedMongo mongo;
    private static String brokers;
    private static String mongoUri;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    public static synchronized void start() {
        if (brokers != null) {
            return;
        }
        brokers = System.getenv("LIMS_KAFKA_BROKERS");
        if (brokers == null || brokers.isBlank()) {
            try {
                kafka = EmbeddedKafka.start(0, Files.createTempDirectory("lims-test-kafka"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            brokers = kafka.bootstrapServers();
        }
        mongoUri = System.getenv("LIMS_MONGODB_URI");
        if (mongoUri == null || mongoUri.isBlank()) {
            mongo = EmbeddedMongo.start(0, null);
            mongoUri = mongo.connectionString();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (kafka != null) {
                kafka.close();
            }
            if (mongo != null) {
                mongo.close();
            }
        }));
    }

    public static String brokers() {
        start();
        return brokers;
    }

    public static String mongoUri() {
        start();
        return mongoUri;
    }

    /** True when the suite runs on the embedded Mongo-wire server (so a test may stop and restart its own). */
    public static boolean embeddedMongo() {
        start();
        return mongo != null;
    }

    public static void createTopics(List<String> topics, int partitions) {
        start();
        if (kafka != null) {
            kafka.createTopics(topics, partitions);
            awaitLeaders(topics);
        } else {
            try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", brokers))) {
                admin.createTopics(topics.stream().map(t -> new org.apache.kafka.clients.admin.NewTopic(t, partitions, (short) 1)).toList())
                        .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** New topics take a moment to get partition leaders; producing before that only retries (and reorders). */
    private static void awaitLeaders(List<String> topics) {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", brokers))) {
            org.awaitility.Awaitility.await("partition leaders of " + topics).atMost(java.time.Duration.ofSeconds(30))
                    .ignoreExceptions().until(() -> admin.describeTopics(topics).allTopicNames().get().values().stream()
                            .allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())));
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
