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
 */
public final class BatchPlan {

    private final Map<String, CollectionWrites> byCollection = new LinkedHashMap<>();
    private final Map<String, KafkaManualCommit> lastCommitPerPartition = new LinkedHashMap<>();
    private final long startedNanos = System.nanoTime();
    private int records;
    private int deadLettered;
    private long bytes;

    /** Writes that do not come from Kafka (nothing to commit), e.g. a page of reconciliation repairs. */
    public static BatchPlan of(List<WriteIntent> intents) {
        BatchPlan plan = new BatchPlan();
        intents.forEach(plan::add);
        return plan;
    }

    void add(WriteIntent intent) {
        byCollection.computeIfAbsent(intent.collection(), CollectionWrites::new).add(intent);
    }

    void countDeadLetter() {
        deadLettered++;
    }

    void track(String topic, Integer partition, KafkaManualCommit commit, long sizeBytes) {
        records++;
        bytes += sizeBytes;
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

    public int staleSkipped() {
        return byCollection.values().stream().mapToInt(CollectionWrites::staleSkipped).sum();
    }

    public int unchanged() {
        return byCollection.values().stream().mapToInt(CollectionWrites::unchanged).sum();
    }

    public int records() {
        return records;
    }

    public int deadLettered() {
        return deadLettered;
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
            sb.append("; ").append(writes.collection()).append(": ").append(writes.models().size()).append(" written, ")
                    .append(writes.staleSkipped()).append(" stale, ").append(writes.unchanged()).append(" unchanged");
        }
        sb.append("; ").append(deadLettered).append(" dead-lettered; ").append(elapsedMillis()).append(" ms");
        return sb.toString();
    }
}
