package org.lims.consumer.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The consumer group's committed offsets, polled in the background: their sum only grows when a
 * batch was written to MongoDB and committed, so its first advance after a fault is the moment the
 * sync is working again (recovery time). Also reads the lag and the dead-letter topic.
 */
final class KafkaWatch implements AutoCloseable {

    private final String brokers;
    private final List<String> topics;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long committed = -1;
    private volatile long committedAt;
    private volatile long lag = -1;

    KafkaWatch(String brokers, List<String> topics) {
        this.brokers = brokers;
        this.topics = topics;
        thread = new Thread(this::loop, "kafka-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
    }

    private void loop() {
        Admin admin = admin();
        while (running) {
            try {
                long[] s = sample(admin);
                committed = s[0];
                lag = s[1];
                committedAt = System.nanoTime();
            } catch (Exception e) {
                // broker down: keep the last values
            }
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                break;
            }
        }
        admin.close(Duration.ofSeconds(2));
    }

    /** {committed offsets summed over the consumed topics, lag} */
    private long[] sample(Admin admin) throws Exception {
        var offsets = admin.listConsumerGroupOffsets(Cluster.GROUP).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        var described = admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS);
        described.forEach((t, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
        long sum = 0;
        long lagSum = 0;
        for (var e : admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
            var c = offsets.get(e.getKey());
            long at = c == null ? 0 : c.offset();
            sum += at;
            lagSum += e.getValue().offset() - at;
        }
        return new long[] {sum, lagSum};
    }

    /** A fresh sample now (retried while the broker does not answer). */
    long committedNow() {
        try (Admin admin = admin()) {
            for (int i = 0; i < 100; i++) {
                try {
                    return sample(admin)[0];
                } catch (Exception e) {
                    Cluster.sleep(200);
                }
            }
        }
        throw new IllegalStateException("cannot read committed offsets");
    }

    long committed() {
        return committed;
    }

    long lag() {
        return lag;
    }

    /** Seconds from {@code sinceNanos} until the committed sum exceeds {@code baseline}. */
    double awaitAdvance(long baseline, long sinceNanos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long at = committedAt;
            if (committed > baseline && at > sinceNanos) {
                return (at - sinceNanos) / 1e9;
            }
            Cluster.sleep(50);
        }
        throw new IllegalStateException("no commit within " + timeout + " after the fault (committed " + committed + ", baseline " + baseline + ")");
    }

    /** Waits until every record sent to the consumed topics is committed (lag 0, measured afresh). */
    void awaitZeroLag(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (lag == 0 && committedAt > start) {
                return;
            }
            Cluster.sleep(100);
        }
        throw new IllegalStateException("lag still " + lag + " after " + timeout);
    }

    /** A dead letter: where the original came from, and why. */
    record Letter(String topic, int partition, long offset, String reason, int bytes) {
        String origin() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    /** Everything in the dead-letter topic. */
    List<Letter> deadLetters() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            var partitions = consumer.partitionsFor(Cluster.DLQ, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                return letters;
            }
            List<TopicPartition> tps = partitions.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> h = new HashMap<>();
                    for (Header header : r.headers()) {
                        h.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
                    }
                    letters.add(new Letter(h.get("lims.dlq.topic"), Integer.parseInt(h.getOrDefault("lims.dlq.partition", "-1")),
                            Long.parseLong(h.getOrDefault("lims.dlq.offset", "-1")), h.get("lims.dlq.reason"),
                            r.value() == null ? 0 : r.value().length));
                }
            }
        }
        return letters;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
