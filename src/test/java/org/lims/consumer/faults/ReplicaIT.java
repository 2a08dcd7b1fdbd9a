package org.lims.consumer.faults;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of the replica runs ({@link ReplicaHarness}) for CI: three instances of the packaged app in one
 * consumer group under a continuous stream, in four runs (one SIGKILLed and not restarted; a rolling restart;
 * scale-out from one to three; static membership: a SIGKILL and restart under the same name, then a rolling restart).
 * Fails on any lost or wrongly applied record, a key not at its expected state, a dead letter, or a SIGTERMed
 * instance that is still a member of the group after it exited.
 */
class ReplicaIT {

    @Test
    void replicasKilledRestartedOrScaledOutLoseNothingAndLeaveTheGroupOnSigterm() throws Exception {
        ReplicaHarness.Options options = ReplicaHarness.Options.defaults().sized(40, 5, Path.of("target/replicas-it"));
        List<ReplicaHarness.Result> results = new ReplicaHarness(options).runAll();
        String table = ReplicaHarness.table(results);
        System.out.println(table);
        assertEquals(4, results.size());
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
