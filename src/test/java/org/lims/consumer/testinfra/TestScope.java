package org.lims.consumer.testinfra;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one test class owns on the shared infrastructure: its topics (prefixed), its consumer
 * group and its database, so classes never see each other's records.
 */
public record TestScope(String name, String prefix, String database, String group, String dlqTopic) {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    public static final List<String> PLANTS = AppDefaults.plants();

    public static TestScope create(String name) {
        String unique = name.toLowerCase(java.util.Locale.ROOT) + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        return new TestScope(name, unique + ".", "limstest_" + unique.replace('-', '_'), "group-" + unique, unique + ".dlq");
    }

    public String topic(String plant) {
        return prefix + plant;
    }

    public List<String> topics() {
        return PLANTS.stream().map(this::topic).toList();
    }

    public String collection(String plant) {
        return AppDefaults.collection(plant);
    }

    /** The settings an app instance of this scope runs with. */
    public Map<String, String> appProperties() {
        return Map.of(
                "lims.kafka.brokers", LimsInfrastructure.brokers(),
                "lims.mongodb.uri", LimsInfrastructure.mongoUri(),
                "lims.kafka.topics", String.join(",", topics()),
                "lims.kafka.topic-prefix", prefix,
                "lims.kafka.group-id", group,
                "lims.kafka.dlq-topic", dlqTopic,
                "lims.mongodb.database", database);
    }
}
