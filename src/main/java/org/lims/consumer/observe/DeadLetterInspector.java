package org.lims.consumer.observe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.lims.consumer.sync.DeadLetters;

/**
 * Bean {@code deadLetterInspector}: what the dead-letter topic holds ({@code GET /observe/dlq}) and
 * where the replay group stands in it ({@code POST /observe/dlq/replay} reads up to the end offsets
 * this reports). Values are never read into the answer, only the headers that describe them.
 */
public class DeadLetterInspector {

    /** The most recent entries the summary lists. */
    static final int RECENT = 10;
    /** A scan gives up when the broker returns nothing this long while records remain below the end offsets. */
    private static final Duration SCAN_IDLE_LIMIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final String replayGroup;

    /** @param clientConfig bootstrap servers and the Kafka security settings, as the admin clients get them */
    public DeadLetterInspector(Map<String, Object> clientConfig, String topic, String replayGroup) {
        this.clientConfig = clientConfig;
        this.topic = topic;
        this.replayGroup = replayGroup;
    }

    public String topic() {
        return topic;
    }

    public String replayGroup() {
        return replayGroup;
    }

    /** One partition of the dead-letter topic: its offsets now, and the replay group's committed position. */
    public record Range(int partition, long earliest, long end, Long committed) {

        /** Where a replay starts: the committed position, or the beginning when there is none (or it was deleted). */
        public long replayStart() {
            return committed == null ? earliest : Math.max(committed, earliest);
        }

        /** Records a replay would read now. */
        public long pending() {
            return Math.max(0, end - replayStart());
        }
    }

    /** The partitions of the dead-letter topic with their offsets at this moment. */
    public List<Range> ranges() {
        try (Admin admin = Admin.create(clientConfig)) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var p : description.partitions()) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> last = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(replayGroup)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            List<Range> ranges = new ArrayList<>();
            for (TopicPartition tp : earliest.keySet()) {
                OffsetAndMetadata c = committed.get(tp);
                ranges.add(new Range(tp.partition(), first.get(tp).offset(), last.get(tp).offset(), c == null ? null : c.offset()));
            }
            ranges.sort(Comparator.comparingInt(Range::partition));
            return ranges;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of the dead-letter topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * The summary as JSON: total, per reason (count, first and last entry, source topics, pending for
     * the replay group) and the most recent entries.
     *
     * <p>A plain KafkaConsumer, not a camel-kafka route: this is a query with an end (the end offsets
     * of the moment), read without a consumer group so that it commits nothing and never joins or
     * disturbs the replay group; a camel-kafka consumer is an unbounded group member.
     */
    public String summary() {
        List<Range> ranges = ranges();
        Map<Integer, Range> byPartition = new HashMap<>();
        ranges.forEach(r -> byPartition.put(r.partition(), r));
        Map<String, ReasonTally> reasons = new LinkedHashMap<>();
        // newest last; entries hold the headers only, never a value
        PriorityQueue<Recent> recent = new PriorityQueue<>();
        long total = 0;
        boolean complete = true;
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> toRead = new ArrayList<>();
            for (Range r : ranges) {
                if (r.end() > r.earliest()) {
                    TopicPartition tp = new TopicPartition(topic, r.partition());
                    toRead.add(tp);
                }
            }
            consumer.assign(toRead);
            for (TopicPartition tp : toRead) {
                consumer.seek(tp, byPartition.get(tp.partition()).earliest());
            }
            long idleSince = System.nanoTime();
            while (!toRead.isEmpty()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && System.nanoTime() - idleSince > SCAN_IDLE_LIMIT.toNanos()) {
                    complete = false;
                    break;
                }
                if (!records.isEmpty()) {
                    idleSince = System.nanoTime();
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    Range range = byPartition.get(record.partition());
                    if (record.offset() >= range.end()) {
                        continue;
                    }
                    total++;
                    String reason = header(record, DeadLetters.REASON);
                    reasons.computeIfAbsent(reason == null ? "unknown" : reason, ReasonTally::new)
                            .add(record, record.offset() >= range.replayStart());
                    recent.add(new Recent(record.timestamp(), record.partition(), record.offset(), entry(record)));
                    if (recent.size() > RECENT) {
                        recent.poll();
                    }
                }
                toRead.removeIf(tp -> consumer.position(tp) >= byPartition.get(tp.partition()).end());
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("topic", topic);
        answer.put("total", total);
        answer.put("complete", complete);
        Map<String, Object> byReason = new LinkedHashMap<>();
        reasons.values().stream().sorted(Comparator.comparing(t -> t.reason)).forEach(t -> byReason.put(t.reason, t.json()));
        answer.put("reasons", byReason);
        answer.put("recent", recent.stream().sorted(Comparator.reverseOrder()).map(Recent::entry).toList());
        Map<String, Object> replay = new LinkedHashMap<>();
        replay.put("group", replayGroup);
        replay.put("pending", ranges.stream().mapToLong(Range::pending).sum());
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (Range r : ranges) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("partition", r.partition());
            p.put("earliest", r.earliest());
            p.put("end", r.end());
            p.put("replay_position", r.replayStart());
            partitions.add(p);
        }
        replay.put("partitions", partitions);
        answer.put("replay", replay);
        return json(answer);
    }

    /** An entry of the summary's recent list, ordered by time (then partition and offset). */
    private record Recent(long timestamp, int partition, long offset, Map<String, Object> entry) implements Comparable<Recent> {
        @Override
        public int compareTo(Recent o) {
            return Comparator.comparingLong(Recent::timestamp).thenComparingInt(Recent::partition)
                    .thenComparingLong(Recent::offset).compare(this, o);
        }
    }

    /** {@code {"detail": ...}}: a failure as the management endpoints answer it. */
    public String detail(Throwable failure) {
        return json(Map.of("detail", String.valueOf(failure.getMessage())));
    }

    /** JSON for the management answers. */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> entry(ConsumerRecord<String, byte[]> record) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("partition", record.partition());
        e.put("offset", record.offset());
        e.put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
        e.put("key", record.key());
        e.put("reason", header(record, DeadLetters.REASON));
        e.put("error", header(record, DeadLetters.ERROR));
        e.put("attempts", parseOr(header(record, DeadLetters.ATTEMPTS), 1));
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("topic", header(record, DeadLetters.SOURCE_TOPIC));
        source.put("partition", parseOr(header(record, DeadLetters.SOURCE_PARTITION), -1));
        source.put("offset", parseOr(header(record, DeadLetters.SOURCE_OFFSET), -1));
        e.put("source", source);
        return e;
    }

    private static long parseOr(String text, long fallback) {
        try {
            return text == null ? fallback : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** One reason's share of the topic. */
    private static final class ReasonTally {
        private final String reason;
        private final TreeSet<String> sourceTopics = new TreeSet<>();
        private long count;
        private long pending;
        private ConsumerRecord<?, ?> first;
        private ConsumerRecord<?, ?> last;

        ReasonTally(String reason) {
            this.reason = reason;
        }

        void add(ConsumerRecord<?, ?> record, boolean isPending) {
            count++;
            if (isPending) {
                pending++;
            }
            String source = header(record, DeadLetters.SOURCE_TOPIC);
            if (source != null && !source.isEmpty()) {
                sourceTopics.add(source);
            }
            if (first == null || earlier(record, first)) {
                first = record;
            }
            if (last == null || earlier(last, record)) {
                last = record;
            }
        }

        private static boolean earlier(ConsumerRecord<?, ?> a, ConsumerRecord<?, ?> b) {
            return a.timestamp() != b.timestamp() ? a.timestamp() < b.timestamp()
                    : a.partition() == b.partition() && a.offset() < b.offset();
        }

        Map<String, Object> json() {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("count", count);
            j.put("first", position(first));
            j.put("last", position(last));
            j.put("source_topics", new ArrayList<>(sourceTopics));
            j.put("pending", pending);
            return j;
        }

        private static Map<String, Object> position(ConsumerRecord<?, ?> r) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("partition", r.partition());
            p.put("offset", r.offset());
            p.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
            return p;
        }
    }
}
