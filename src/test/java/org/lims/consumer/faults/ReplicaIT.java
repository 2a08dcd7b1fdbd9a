package org.lims.consumer.faults;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of the replica runs ({@link ReplicaHarness}) for CI: three instances of the packaged app in one
 * consumer group under a continuous stream, in three runs (one SIGKILLed and not restarted; scale-out from one to
 * three; static membership, as the Deployment sets it: a SIGKILL and restart under the same name, then a rolling
 * restart). The rolling restart with dynamic members is left to the harness ({@code exec:exec@replicas}): the static
 * run's rolling restart checks the same hand-overs and group leaves, and the suite must stay under 15 minutes.
 * Fails on any lost or wrongly applied record, a key not at its expected state, a dead letter, or a SIGTERMed
 * instance that is still a member of the group after it exited.
 */
class ReplicaIT {

    @Test
    void replicasKilledRestartedOrScaledOutLoseNothingAndLeaveTheGroupOnSigterm() throws Exception {
        ReplicaHarness.Options d = ReplicaHarness.Options.defaults();
        List<ReplicaHarness.Run> runs = List.of(ReplicaHarness.Run.KILL, ReplicaHarness.Run.SCALE_OUT, ReplicaHarness.Run.STATIC);
        ReplicaHarness.Options options = new ReplicaHarness.Options(runs, 40, 5, d.seed(), Path.of("target/replicas-it"), null);
        List<ReplicaHarness.Result> results = new ReplicaHarness(options).runAll();
        String table = ReplicaHarness.table(results);
        System.out.println(table);
        assertEquals(runs.size(), results.size());
        for (ReplicaHarness.Result r : results) {
            assertEquals(0, r.lost(), r.run() + " lost records:\n" + table);
            assertEquals(0, r.wrong(), r.run() + " applied records wrongly:\n" + table);
            assertEquals(r.keys(), r.correct(), r.run() + ": every key at its expected state\n" + table);
            assertEquals(0, r.deadLetters(), r.run() + ": no valid event dead-lettered\n" + table);
            assertTrue(r.keys() > 100, r.run() + ": a stream, not a handful of events\n" + table);
            // static membership set as the Deployment sets it (LIMS_KAFKA_GROUP_INSTANCE_ID): every member under its name
            boolean statik = r.run() == ReplicaHarness.Run.STATIC;
            assertEquals(statik, !r.instanceIds().isEmpty(), r.run() + ": static members " + r.instanceIds() + "\n" + table);
            assertEquals(statik, r.dynamicMembers() == 0, r.run() + ": " + r.dynamicMembers() + " members without a name\n" + table);
        }
        for (ReplicaHarness.Result r : results.stream().filter(r -> !r.exitSeconds().isEmpty()).toList()) {
            assertEquals(r.exitSeconds().size(), r.leftGroupSeconds().size(), r.run() + ": every SIGTERMed instance left the group\n" + table);
            for (int i = 0; i < r.exitSeconds().size(); i++) {
                // out of the group when the process is gone (it left), not a session timeout later (it was dropped)
                assertTrue(r.leftGroupSeconds().get(i) <= r.exitSeconds().get(i) + 1.0, r.run() + ": left the group on SIGTERM\n" + table);
            }
        }
    }
}
