package org.lims.consumer.observe;

import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import org.lims.consumer.sync.CollectionWrites;
import org.lims.consumer.sync.WriteIntent;

/**
 * Sync metrics (bean {@code syncMetrics}), in the registry Camel scrapes at {@code /observe/metrics}.
 * Prometheus names: {@code lims_consumer_images_applied_total{plant,operation}},
 * {@code lims_consumer_image_bytes_total{plant}}, {@code lims_consumer_stale_skipped_total{plant}},
 * {@code lims_consumer_dlq_total{reason}}, {@code lims_consumer_bulk_write_seconds},
 * {@code lims_consumer_bulk_write_size}, {@code lims_consumer_freshness_seconds},
 * {@code lims_consumer_kafka_delay_seconds}; lag is {@link KafkaConsumerWatch}'s.
 */
public class SyncMetrics {

    /** Buckets from 5 ms to 2 h: a stream is fresh in milliseconds, the batch job it replaces in minutes. */
    private static final double[] FRESHNESS_BUCKETS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
        60, 120, 300, 600, 1200, 3600, 7200};

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer bulkWrite;
    private final DistributionSummary bulkSize;
    private final Timer freshness;
    private final Timer kafkaDelay;

    public SyncMetrics(MeterRegistry registry) {
        this.registry = registry;
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
    }

    private static double[] toNanos(double[] seconds) {
        double[] nanos = new double[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            nanos[i] = seconds[i] * 1e9;
        }
        return nanos;
    }

    private Counter counter(String name, String description, String... tags) {
        String key = name + String.join(",", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** Every record received from Kafka, poison included: what streaming costs in bandwidth. */
    public void received(String plant, long bytes) {
        counter("lims.consumer.image.bytes", "bytes received from Kafka: key plus value (image and metadata)",
                "plant", plant == null ? "unknown" : plant).increment(bytes);
    }

    public void deadLettered(String reason) {
        counter("lims.consumer.dlq", "records sent to the dead-letter topic", "reason", reason == null ? "unknown" : reason).increment();
    }

    /** After a bulk write was acknowledged: what it applied, what the stale guard skipped, and how fresh it is. */
    public void written(CollectionWrites writes) {
        if (!writes.models().isEmpty()) {
            bulkWrite.record(Duration.ofNanos(writes.nanosSinceResolve()));
            bulkSize.record(writes.models().size());
        }
        long now = System.currentTimeMillis();
        String plant = null;
        for (int i = 0; i < writes.models().size(); i++) {
            WriteIntent intent = writes.sourceOf(i);
            plant = intent.source() == null ? "unknown" : intent.source().plant();
            counter("lims.consumer.images.applied", "records written to MongoDB", "plant", plant,
                    "operation", intent.operation().routeName()).increment();
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
        if (writes.staleSkipped() > 0) {
            String stalePlant = plant != null ? plant : writes.plant();
            counter("lims.consumer.stale.skipped", "records older than the stored version, skipped", "plant", stalePlant)
                    .increment(writes.staleSkipped());
        }
    }
}
