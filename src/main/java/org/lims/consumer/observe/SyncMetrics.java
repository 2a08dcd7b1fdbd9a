package org.lims.consumer.observe;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import org.lims.consumer.config.Plants;
import org.lims.consumer.sync.BatchPlan;
import org.lims.consumer.sync.CollectionWrites;
import org.lims.consumer.sync.DeadLetterReplay;
import org.lims.consumer.sync.DeadLetters;
import org.lims.consumer.sync.Operation;
import org.lims.consumer.sync.Outcome;
import org.lims.consumer.sync.WriteIntent;

/**
 * Sync metrics (bean {@code syncMetrics}), in the registry Camel scrapes at {@code /observe/metrics}.
 * Prometheus names: {@code lims_consumer_records_received_total{plant}},
 * {@code lims_consumer_records_total{plant,outcome}}, {@code lims_consumer_images_applied_total{plant,operation}},
 * {@code lims_consumer_image_bytes_total{plant}}, {@code lims_consumer_dlq_total{reason}},
 * {@code lims_consumer_dlq_replayed_total{result}}, {@code lims_consumer_bulk_write_seconds},
 * {@code lims_consumer_bulk_write_size}, {@code lims_consumer_freshness_seconds},
 * {@code lims_consumer_kafka_delay_seconds}; lag is {@link KafkaConsumerWatch}'s.
 *
 * <p>Every series a dashboard panel or an alert reads is registered at 0 at start-up, for each
 * configured plant and each known dead-letter reason, so that a healthy service never shows
 * "No data". A record of no configured plant is counted under {@code plant="unknown"}.
 */
public class SyncMetrics {

    public static final String UNKNOWN_PLANT = "unknown";

    /** Buckets from 5 ms to 2 h: a stream is fresh in milliseconds, the batch job it replaces in minutes. */
    private static final double[] FRESHNESS_BUCKETS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
        60, 120, 300, 600, 1200, 3600, 7200};
    private static final Operation[] OPERATIONS = Operation.values();
    private static final Outcome[] OUTCOMES = Outcome.values();

    private final MeterRegistry registry;
    private final Plants plants;
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> bytes = new ConcurrentHashMap<>();
    private final Map<String, Counter[]> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Counter[]> applied = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, Counter> replayed = new ConcurrentHashMap<>();
    private final Timer bulkWrite;
    private final DistributionSummary bulkSize;
    private final Timer freshness;
    private final Timer kafkaDelay;

    public SyncMetrics(MeterRegistry registry, Plants plants) {
        this.registry = registry;
        this.plants = plants;
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals("lims.consumer.freshness") || id.getName().equals("lims.consumer.kafka.delay")) {
                    return DistributionStatisticConfig.builder()
                            .serviceLevelObjectives(toNanos(FRESHNESS_BUCKETS_SECONDS))
                            .build().merge(config);
                }
                if (id.getName().startsWith("lims.consumer.bulk.write")) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
                }
                return config;
            }
        });
        bulkWrite = Timer.builder("lims.consumer.bulk.write").description("duration of one bulk write to MongoDB").register(registry);
        bulkSize = DistributionSummary.builder("lims.consumer.bulk.write.size").description("writes per bulk write")
                .register(registry);
        freshness = Timer.builder("lims.consumer.freshness")
                .description("time written to MongoDB minus the record's updated_at/created_at").register(registry);
        kafkaDelay = Timer.builder("lims.consumer.kafka.delay")
                .description("time written to MongoDB minus the Kafka record timestamp").register(registry);
        for (String plant : plants.names()) {
            received(plant);
            bytes(plant);
            outcomes(plant);
            applied(plant);
        }
        DeadLetters.knownReasons().forEach(this::deadLetterCounter);
        DeadLetterReplay.RESULTS.forEach(this::replayCounter);
    }

    private static double[] toNanos(double[] seconds) {
        double[] nanos = new double[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            nanos[i] = seconds[i] * 1e9;
        }
        return nanos;
    }

    /** The plant label: a configured plant, else "unknown" (so that a stray topic cannot grow the label set). */
    private String label(String plant) {
        return plants.isPlant(plant) ? plant : UNKNOWN_PLANT;
    }

    private Counter received(String plant) {
        return received.computeIfAbsent(plant, p -> Counter.builder("lims.consumer.records.received")
                .description("records received from the plant's topic, poison included").tag("plant", p).register(registry));
    }

    private Counter bytes(String plant) {
        return bytes.computeIfAbsent(plant, p -> Counter.builder("lims.consumer.image.bytes")
                .description("bytes received from Kafka: key plus value (image and metadata)").tag("plant", p).register(registry));
    }

    private Counter[] outcomes(String plant) {
        return outcomes.computeIfAbsent(plant, p -> {
            Counter[] counters = new Counter[OUTCOMES.length];
            for (Outcome o : OUTCOMES) {
                counters[o.ordinal()] = Counter.builder("lims.consumer.records")
                        .description("records received from the plant's topic, by what became of them: every record has one outcome")
                        .tags("plant", p, "outcome", o.label()).register(registry);
            }
            return counters;
        });
    }

    private Counter[] applied(String plant) {
        return applied.computeIfAbsent(plant, p -> {
            Counter[] counters = new Counter[OPERATIONS.length];
            for (Operation op : OPERATIONS) {
                counters[op.ordinal()] = Counter.builder("lims.consumer.images.applied")
                        .description("documents written to MongoDB (Kafka records, replays and REST writes)")
                        .tags("plant", p, "operation", op.routeName()).register(registry);
            }
            return counters;
        });
    }

    private Counter deadLetterCounter(String reason) {
        return deadLetters.computeIfAbsent(reason, r -> Counter.builder("lims.consumer.dlq")
                .description("messages published to the dead-letter topic").tag("reason", r).register(registry));
    }

    private Counter replayCounter(String result) {
        return replayed.computeIfAbsent(result, r -> Counter.builder("lims.consumer.dlq.replayed")
                .description("dead letters read by a replay, by result").tag("result", r).register(registry));
    }

    /**
     * Once a Kafka batch is applied and committed: its records received and what became of each, per
     * plant. Both sides are counted from the batch's own bookkeeping at one moment, so for every plant
     * received equals the sum of the outcomes unless a record went missing in between (the alert).
     */
    public void batch(BatchPlan plan) {
        for (BatchPlan.TopicTally topic : plan.topics()) {
            String plant = label(plants.plantOf(topic.topic()));
            received(plant).increment(topic.records());
            bytes(plant).increment(topic.bytes());
            if (topic.deadLettered() > 0) {
                outcomes(plant)[Outcome.DEAD_LETTERED.ordinal()].increment(topic.deadLettered());
            }
        }
        for (CollectionWrites writes : plan.allCollections()) {
            writes.forEachOutcome((plant, outcome, n) -> outcomes(label(plant))[outcome.ordinal()].increment(n));
        }
    }

    public void deadLettered(String reason) {
        deadLetterCounter(reason == null ? "unknown" : reason).increment();
    }

    public void replayed(String result, int n) {
        if (n > 0) {
            replayCounter(result).increment(n);
        }
    }

    /**
     * After a bulk write was acknowledged (wholly, or but for the documents MongoDB rejected): the documents
     * it wrote, and how fresh they are. Replayed records are not sampled for freshness or Kafka delay: the
     * hours a record spent in the dead-letter topic are an operator's pace, not the sync's latency.
     */
    public void written(CollectionWrites writes) {
        int models = writes.models().size();
        if (models == 0) {
            return;
        }
        bulkWrite.record(Duration.ofNanos(writes.nanosSinceResolve()));
        bulkSize.record(models);
        long now = System.currentTimeMillis();
        String lastPlant = null;
        int[] perOperation = new int[OPERATIONS.length];
        for (int i = 0; i < models; i++) {
            if (writes.wroteNothing(i)) {
                continue;
            }
            WriteIntent intent = writes.sourceOf(i);
            String plant = intent.source() == null ? null : intent.source().plant();
            if (i > 0 && !java.util.Objects.equals(plant, lastPlant)) {
                flushApplied(lastPlant, perOperation);
            }
            lastPlant = plant;
            perOperation[intent.operation().ordinal()]++;
            if (intent.source() != null && intent.source().isReplay()) {
                continue;
            }
            Date version = intent.version();
            // a repair's age is how long the record was missing, not the stream's freshness (reconcile metrics count repairs)
            if (version != null && (intent.source() == null || !intent.source().isRepair())) {
                freshness.record(Duration.ofMillis(Math.max(0, now - version.getTime())));
            }
            long kafkaTimestamp = intent.source() == null ? 0 : intent.source().kafkaTimestamp();
            if (kafkaTimestamp > 0) {
                kafkaDelay.record(Duration.ofMillis(Math.max(0, now - kafkaTimestamp)));
            }
        }
        flushApplied(lastPlant, perOperation);
    }

    private void flushApplied(String plant, int[] perOperation) {
        Counter[] counters = null;
        for (int op = 0; op < perOperation.length; op++) {
            if (perOperation[op] > 0) {
                if (counters == null) {
                    counters = applied(label(plant));
                }
                counters[op].increment(perOperation[op]);
                perOperation[op] = 0;
            }
        }
    }

}
