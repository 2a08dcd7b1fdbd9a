package org.lims.consumer.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.lims.consumer.reconcile.DifferenceKind;

/**
 * Reconciliation metrics (bean {@code reconcileMetrics}), in the registry served at {@code /observe/metrics}:
 * {@code lims_consumer_reconcile_runs_total{result}} (ok, failed),
 * {@code lims_consumer_reconcile_differences_total{plant,kind}}, {@code lims_consumer_reconcile_repaired_total{plant}},
 * {@code lims_consumer_reconcile_bytes_read_total{plant}} (everything the producer database sent, see {@link ProducerReads}),
 * {@code lims_consumer_reconcile_duration_seconds}, {@code lims_consumer_reconcile_last_success_timestamp_seconds},
 * and for the alerts and the dashboard {@code lims_consumer_reconcile_differing_runs} (runs in a row that found
 * differences), {@code lims_consumer_reconcile_interval_seconds} and {@code lims_consumer_reconcile_remaining_records{plant}}.
 * Every series exists from start-up, at zero, so that dashboards and alerts see it before the first difference.
 */
public class ReconcileMetrics {

    public static final String OK = "ok";
    public static final String FAILED = "failed";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> remaining = new ConcurrentHashMap<>();
    private final Timer duration;
    private final AtomicLong lastSuccessSeconds = new AtomicLong();
    private final AtomicLong differingRuns = new AtomicLong();

    public ReconcileMetrics(MeterRegistry registry, List<String> plants, ProducerReads reads, double intervalSeconds) {
        this.registry = registry;
        duration = Timer.builder("lims.consumer.reconcile.duration").description("duration of one reconciliation run, all plants")
                .register(registry);
        // until a run succeeds this is the start time: a reconciliation that never succeeds alerts like one that stopped succeeding
        lastSuccessSeconds.set(System.currentTimeMillis() / 1000);
        Gauge.builder("lims.consumer.reconcile.last.success.timestamp.seconds", lastSuccessSeconds, AtomicLong::get)
                .description("when the last successful reconciliation run ended (epoch seconds; the start time before the first)")
                .register(registry);
        Gauge.builder("lims.consumer.reconcile.differing.runs", differingRuns, AtomicLong::get)
                .description("successful runs in a row that found differences (0 after a run that found none)").register(registry);
        Gauge.builder("lims.consumer.reconcile.interval.seconds", () -> intervalSeconds)
                .description("lims.reconcile.interval-s: the time between two runs").register(registry);
        runs(OK);
        runs(FAILED);
        for (String plant : plants) {
            for (DifferenceKind kind : DifferenceKind.values()) {
                differences(plant, kind);
            }
            repaired(plant);
            FunctionCounter.builder("lims.consumer.reconcile.bytes.read", reads, r -> r.bytes(plant))
                    .description("bytes the producer database sent to reconciliation (digests, projections and records)")
                    .tags("plant", plant).register(registry);
            AtomicLong left = remaining.computeIfAbsent(plant, p -> new AtomicLong());
            Gauge.builder("lims.consumer.reconcile.remaining.records", left, AtomicLong::get)
                    .description("records the current run still has to compare or repair (0 between runs)").tags("plant", plant)
                    .register(registry);
        }
    }

    private Counter runs(String result) {
        return counter("lims.consumer.reconcile.runs", "reconciliation runs by result", "result", result);
    }

    private Counter differences(String plant, DifferenceKind kind) {
        return counter("lims.consumer.reconcile.differences", "records found different from the producer database",
                "plant", plant, "kind", kind.label());
    }

    private Counter repaired(String plant) {
        return counter("lims.consumer.reconcile.repaired",
                "records reconciliation wrote (missing, stale) or removed (extra, with remove-extra) in the consumer database", "plant", plant);
    }

    private Counter counter(String name, String description, String... tags) {
        String key = name + String.join(",", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    public void found(String plant, DifferenceKind kind, long count) {
        if (count > 0) {
            differences(plant, kind).increment(count);
        }
    }

    public void repaired(String plant, long count) {
        if (count > 0) {
            repaired(plant).increment(count);
        }
    }

    public void remaining(String plant, long records) {
        remaining.computeIfAbsent(plant, p -> new AtomicLong()).set(records);
    }

    public void succeeded(Duration took, boolean foundDifferences) {
        runs(OK).increment();
        duration.record(took);
        lastSuccessSeconds.set(System.currentTimeMillis() / 1000);
        if (foundDifferences) {
            differingRuns.incrementAndGet();
        } else {
            differingRuns.set(0);
        }
    }

    public void failed(Duration took) {
        runs(FAILED).increment();
        duration.record(took);
        remaining.values().forEach(r -> r.set(0));
    }
}
