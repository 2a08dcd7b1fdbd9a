package org.lims.consumer.testinfra;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import static org.awaitility.Awaitility.await;

/** The consumer group's committed lag: zero means every record sent so far was applied and committed. */
public final class KafkaLag {

    private KafkaLag() {
    }

    public static long of(TestScope scope) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", LimsInfrastructure.brokers()))) {
            var committed = admin.listConsumerGroupOffsets(scope.group()).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : scope.topics()) {
                int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions().size();
                for (int p = 0; p < partitions; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get().entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void awaitZero(TestScope scope, Duration timeout) {
        await("consumer lag of " + scope.group() + " reaches 0").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> of(scope) == 0);
    }
}
