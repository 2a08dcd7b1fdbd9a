package org.lims.consumer.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.dev.sim.BatchSynchronizer;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short batch-versus-stream experiment (30 simulated minutes) with the Image API losing 5 % of its
 * publishes, and the invariants of its report: the stream alone misses what was lost, stream +
 * reconciliation heals every lost change within one interval, batch at its next run.
 */
@ExtendWith(LimsInfrastructure.class)
class ExperimentIT {

    @Test
    void streamIsFresherReconciliationHealsLostPublishesAndBatchCountsAddUp() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Experiment.quietLogs();
        Path out = Files.createTempDirectory("lims-experiment");
        TestScope scope = TestScope.create("experiment");
        Experiment.Config config = new Experiment.Config(Duration.ofMinutes(30), 300, 3, 20, 7, out, scope.prefix()).losingPublishes(0.05);

        Experiment.Result r = Experiment.run(config);
        System.out.println(Files.readString(r.report));

        // counts match the simulator's own count of changes
        long byJob = r.changesByJob.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(r.changes, byJob);
        assertTrue(r.changes > 50, "a few changes per simulated minute: " + r.changes);
        assertTrue(r.lostPublishes > 0, "the fault lost some publishes");
        assertEquals(r.changes - r.lostPublishes, r.stream.images, "one message per published change");
        assertEquals(r.changes - r.stream.notReflected, r.stream.staleness.size(), "every change but the unhealed lost ones reflected by the stream");
        assertEquals(r.lostNotSuperseded, r.stream.notReflected);
        assertEquals(r.changes, r.full.staleness.size(), "every change reflected by the full batch");
        assertEquals(r.changes, r.incremental.staleness.size(), "every change reflected by the incremental batch");
        assertEquals(0, r.kafkaLagAtEnd, "lims-consumer received every message");
        assertEquals(r.seedRecords + r.changesByJob.getOrDefault("camera", 0L), r.producerRecords);
        assertEquals(r.seedRecords, r.full.initialImages);
        assertEquals(r.seedRecords, r.incremental.initialImages);
        // a full run copies every record there is: at least the seed on each of its runs
        long periodicRuns = config.duration().toMillis() / BatchSynchronizer.INTERVAL_MS - 1;
        assertTrue(r.full.images >= r.seedRecords * periodicRuns, "full runs copy everything");
        assertTrue(r.incremental.images <= r.changes, "an incremental run copies each changed record once");

        // the report's claims
        assertEquals(r.lostNotSuperseded == 0, r.stream.equalAtEnd, "the stream alone differs exactly when a lost change was never superseded: "
                + r.stream.differingAtEnd + " records differ");
        assertEquals(0, r.streamReconcile.notReflected, "stream + reconciliation reflects every change");
        assertEquals(r.changes, r.streamReconcile.staleness.size());
        assertTrue(r.streamReconcile.equalAtEnd || r.streamReconcile.equalAfterNextRun, "stream + reconciliation converges: "
                + r.streamReconcile.differingAtEnd + " records differ at the end");
        assertTrue(r.reconciliation.maxHealSeconds <= Experiment.RECONCILE_INTERVAL_MS / 1000.0 + r.reconciliation.maxRunWallSeconds + 1,
                "every lost change healed within one interval: " + r.reconciliation.maxHealSeconds + " s");
        assertTrue(r.full.equalAfterNextRun && r.incremental.equalAfterNextRun, "a batch run brings its DB to the producer's state");
        assertTrue(r.stream.percentile(99) < BatchSynchronizer.INTERVAL_MS / 1000.0,
                "stream staleness p99 " + r.stream.percentile(99) + " s is below the batch interval");
        assertTrue(r.full.bytes >= r.incremental.bytes, "full batch bytes >= incremental batch bytes");
        assertTrue(r.stream.differingShare < r.incremental.differingShare);
        assertTrue(Files.size(r.chart) > 10_000, "chart written");
    }
}
