package org.lims.consumer.sync;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app killed with SIGKILL mid-stream and started again: uncommitted records are
 * re-read and re-applied idempotently, so the database ends exactly at the newest version of
 * every record, with no record lost or duplicated.
 */
@ExtendWith(LimsInfrastructure.class)
class AbruptRestartIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 7, 1, 0, 0);

    @Test
    void killedMidStreamThenRestartedLosesNothing() throws Exception {
        TestScope scope = TestScope.create("abrupt");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        // static membership: the restarted instance takes its partitions back at once, no session timeout to wait out
        props.put("camel.component.kafka.groupInstanceId", "abrupt-instance");
        int[] ports = LimsApp.freePorts(2);
        props.put("lims.http.port", String.valueOf(ports[0]));
        props.put("lims.management.port", String.valueOf(ports[1]));
        int ids = 1500;
        int updated = 500;
        try (LimsEvents events = new LimsEvents(scope); ConsumerDb db = new ConsumerDb(scope)) {
            for (int id = 1; id <= ids; id++) {
                events.sendAsync(TestScope.PLANTS.get(id % 3), String.valueOf(id),
                        LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 3000), T0, null)));
            }
            for (int id = 1; id <= updated; id++) {
                Map<String, Object> update = LimsEvents.record(id, LimsEvents.image(id, 3000), T0, T0.plusSeconds(id));
                update.put("is_active", true);
                events.sendAsync(TestScope.PLANTS.get(id % 3), String.valueOf(id), LimsEvents.json(update));
            }
            events.flush();

            ChildProcess first = ChildProcess.app(props, Map.of());
            try {
                await("some records applied").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                        .until(() -> total(db) >= 300);
            } catch (RuntimeException e) {
                throw new AssertionError("first run did not apply records; output:\n" + first.output(), e);
            }
            first.kill();
            long appliedBeforeKill = total(db);
            assertTrue(appliedBeforeKill < ids, "killed mid-stream (" + appliedBeforeKill + " applied)");

            long restartedAt = System.nanoTime();
            try (ChildProcess second = ChildProcess.app(props, Map.of())) {
                await("first record after restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> total(db) > appliedBeforeKill || KafkaLag.of(scope) == 0);
                double resumeSeconds = (System.nanoTime() - restartedAt) / 1e9;
                KafkaLag.awaitZero(scope, Duration.ofSeconds(120));
                System.out.printf("abrupt restart: %d applied before SIGKILL, resumed in %.1f s (JVM start included)%n",
                        appliedBeforeKill, resumeSeconds);
                // how fast is a benchmark's question (docs/reliability.md); here: it resumes (the await above) and loses nothing
            }

            assertEquals(ids, total(db), "every record present exactly once");
            for (int id = 1; id <= ids; id++) {
                Document d = db.find(TestScope.PLANTS.get(id % 3), id);
                if (id <= updated) {
                    assertEquals(Boolean.TRUE, d.get("is_active"), "newest version of " + id);
                    assertEquals(java.util.Date.from(T0.plusSeconds(id).toInstant(java.time.ZoneOffset.UTC)), d.get("updated_at"));
                } else {
                    assertEquals(Boolean.FALSE, d.get("is_active"), "record " + id);
                }
            }
        }
    }

    private static long total(ConsumerDb db) {
        return TestScope.PLANTS.stream().mapToLong(db::count).sum();
    }
}
