package org.lims.consumer.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Everything one Kafka poll asks of MongoDB, gathered by {@link BatchPlanAggregator} as the
 * splitter walks the records: the writes per collection, and per partition the commit of the
 * last record seen. Offsets are committed only by {@link #commitOffsets()}, which the sync route
 * calls after every bulk write of the batch was acknowledged (at-least-once).
 *
 * <p>It also keeps the batch's accounting: per topic the records received, their bytes and how
 * many were dead-lettered; the other outcomes are counted by each {@link CollectionWrites}. The
 * metrics read both once the batch is done ({@code syncMetrics.batch}).
 */
public final class BatchPlan {

    private final boolean request;
    private final Map<String, CollectionWrites> byCollection = new LinkedHashMap<>();
    private final Map<String, KafkaManualCommit> lastCommitPerPartition = new LinkedHashMap<>();
    private final Map<String, TopicTally> byTopic = new LinkedHashMap<>(4);
    private TopicTally lastTally;
    private final long startedNanos = System.nanoTime();
    private int records;
    private int deadLettered;
    private long bytes;

    public BatchPlan() {
        this(false);
    }

    private BatchPlan(boolean request) {
        this.request = request;
    }

    /** A plan of one write a caller waits for (a REST request): nothing to commit, the outcome goes back to the caller. */
    public static BatchPlan request(WriteIntent intent) {
        BatchPlan plan = new BatchPlan(true);
        plan.add(intent);
        return plan;
    }

    /** What one topic contributed to the batch. */
    public static final class TopicTally {
        private final String topic;
        private int records;
        private long bytes;
        private int deadLettered;

        TopicTally(String topic) {
            this.topic = topic;
        }

        /** null for a record without a topic header */
        public String topic() {
            return topic;
        }

        public int records() {
            return records;
        }

        public long bytes() {
            return bytes;
        }

        public int deadLettered() {
            return deadLettered;
        }
    }

    /** Writes that do not come from Kafka (nothing to commit), e.g. a page of reconciliation repairs. */
    public static BatchPlan of(List<WriteIntent> intents) {
        BatchPlan plan = new BatchPlan();
        intents.forEach(plan::add);
        return plan;
    }

    void add(WriteIntent intent) {
        byCollection.computeIfAbsent(intent.collection(), c -> new CollectionWrites(c, request)).add(intent);
    }

    /** What became of a request's one write (see {@link CollectionWrites#outcome()}). */
    public CollectionWrites.RequestOutcome outcome() {
        if (!request || byCollection.size() != 1) {
            throw new IllegalStateException("an outcome is a request's: a plan of one write");
        }
        return byCollection.values().iterator().next().outcome();
    }

    /** Every record of the batch passes here once, whatever became of it. */
    void track(String topic, Integer partition, KafkaManualCommit commit, long sizeBytes, boolean deadLetter) {
        records++;
        bytes += sizeBytes;
        TopicTally tally = lastTally;
        if (tally == null || !java.util.Objects.equals(tally.topic, topic)) {
            tally = byTopic.computeIfAbsent(topic, TopicTally::new);
            lastTally = tally;
        }
        tally.records++;
        tally.bytes += sizeBytes;
        if (deadLetter) {
            tally.deadLettered++;
            deadLettered++;
        }
        if (commit != null) {
            lastCommitPerPartition.put(topic + "-" + partition, commit);
        }
    }

    /** The collections that have something to write, in first-seen order: the bulk-write split walks these. */
    public List<CollectionWrites> collections() {
        List<CollectionWrites> result = new ArrayList<>();
        for (CollectionWrites writes : byCollection.values()) {
            if (!writes.isEmpty()) {
                result.add(writes);
            }
        }
        return result;
    }

    public void commitOffsets() {
        for (KafkaManualCommit commit : lastCommitPerPartition.values()) {
            commit.commit();
        }
    }

    /** Writes sent to MongoDB, once the bulk writes ran. */
    public int written() {
        return byCollection.values().stream().mapToInt(w -> w.models().size()).sum();
    }

    /** Every collection of the batch, those with nothing left to write included: the accounting reads these. */
    public Iterable<CollectionWrites> allCollections() {
        return byCollection.values();
    }

    public Iterable<TopicTally> topics() {
        return byTopic.values();
    }

    public int staleSkipped() {
        return byCollection.values().stream().mapToInt(CollectionWrites::staleSkipped).sum();
    }

    public int unchanged() {
        return byCollection.values().stream().mapToInt(CollectionWrites::unchanged).sum();
    }

    public int records() {
        return records;
    }

    /** Records dead-lettered: poison, and documents MongoDB rejected for good. */
    public int deadLettered() {
        return deadLettered + byCollection.values().stream().mapToInt(CollectionWrites::rejectedCount).sum();
    }

    public long bytes() {
        return bytes;
    }

    public int partitions() {
        return lastCommitPerPartition.size();
    }

    public long elapsedMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** One INFO line per batch: counts per collection, never record contents. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(records).append(" records, ").append(bytes / 1024).append(" KB from ")
                .append(partitions()).append(" partitions");
        for (CollectionWrites writes : byCollection.values()) {
            sb.append("; ").append(writes.collection()).append(": ").append(writes.applied()).append(" written, ")
                    .append(writes.coalesced()).append(" coalesced, ").append(writes.staleSkipped()).append(" stale, ")
                    .append(writes.unchanged()).append(" unchanged");
        }
        sb.append("; ").append(deadLettered()).append(" dead-lettered; ").append(elapsedMillis()).append(" ms");
        return sb.toString();
    }
}
