package org.lims.consumer.sync;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.api.Http;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.DeadLetterTopic;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.Scrape;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dead-letter topic inspected and replayed on the management port. The fix deployed in the test
 * is a database one: a unique index on {@code camera_id} (a DBA's mistake) makes MongoDB reject
 * records for good (mongo-rejected-11000); once it is dropped, a replay applies them, while poison
 * that no fix helps goes back to the dead-letter topic with one more attempt.
 */
@ExtendWith(LimsInfrastructure.class)
class DeadLetterReplayIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 11, 1, 9, 0);
    private static final String POTATO = "potato";
    private static final String TOMATO = "tomato";

    @Test
    void fixedRecordsApplyOnReplayAndTheRestComeBackWithOneMoreAttempt() {
        TestScope scope = TestScope.create("replay");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        try (ConsumerDb db = new ConsumerDb(scope); LimsEvents events = new LimsEvents(scope)) {
            uniqueCameraIndex(db, scope);
            // the dead-letter topic is the app's to create: read it once the app runs
            try (LimsApp app = LimsApp.start(scope.appProperties()); DeadLetterTopic dlq = new DeadLetterTopic(scope)) {
                Http management = new Http(app.managementPort());
                for (int id = 1; id <= 5; id++) {
                    events.send(POTATO, withCamera(id, 7));
                }
                for (int i = 1; i <= 3; i++) {
                    events.sendRaw(TOMATO, "bad-" + i, ("not json " + i).getBytes(StandardCharsets.UTF_8), Map.of("origin", "test-" + i));
                }
                List<DeadLetterTopic.Letter> first = List.copyOf(dlq.awaitLetters(7, Duration.ofSeconds(60)));
                KafkaLag.awaitZero(scope, Duration.ofSeconds(30));
                assertEquals(1, db.count(POTATO), "one record per camera while the index stands");
                assertEquals(4, first.stream().filter(l -> "mongo-rejected-11000".equals(l.header("lims.dlq.reason"))).count(),
                        first.stream().map(l -> l.header("lims.dlq.reason")).toList().toString());
                assertTrue(first.stream().allMatch(l -> "1".equals(l.header("lims.dlq.attempts"))), "first dead letters: attempt 1");
                await("the rejected bulk counted").atMost(Duration.ofSeconds(10)).until(() ->
                        Scrape.of(app.managementPort()).sum("lims_consumer_records_total", "plant", POTATO) == 5);
                Scrape metrics = Scrape.of(app.managementPort());
                assertEquals(1, metrics.sum("lims_consumer_records_total", "plant", POTATO, "outcome", "applied"));
                assertEquals(4, metrics.sum("lims_consumer_records_total", "plant", POTATO, "outcome", "dead_lettered"));
                assertEquals(1, metrics.sum("lims_consumer_images_applied_total", "plant", POTATO, "operation", "upsert"));
                assertEquals(4, metrics.sum("lims_consumer_dlq_total", "reason", "mongo-rejected-11000"));
                assertTrue(metrics.sum("lims_consumer_bulk_write_seconds_count") >= 1, "the rejected bulk's duration is recorded");

                JsonNode summary = management.get("/observe/dlq").json();
                assertEquals(7, summary.get("total").asInt(), summary.toString());
                JsonNode rejected = summary.get("reasons").get("mongo-rejected-11000");
                assertEquals(4, rejected.get("count").asInt());
                assertEquals(List.of(scope.topic(POTATO)), textList(rejected.get("source_topics")));
                assertEquals(4, rejected.get("pending").asInt());
                assertEquals(3, summary.get("reasons").get("not-json").get("count").asInt());
                assertEquals(7, summary.get("recent").size());
                for (JsonNode entry : summary.get("recent")) {
                    assertFalse(entry.has("value"), "never the value: " + entry);
                    assertNotNull(entry.get("key").asText());
                    assertTrue(entry.get("source").get("offset").asLong() >= 0, entry.toString());
                }
                assertEquals(7, summary.get("replay").get("pending").asInt());
                assertEquals(400, management.post("/observe/dlq/replay?max=zero", null).status());
                assertEquals(404, new Http(app.httpPort()).get("/observe/dlq").status(), "not on the API port");

                db.database().getCollection(scope.collection(POTATO)).dropIndex("camera_id_1");  // the fix

                JsonNode replay = replay(management, "");
                assertEquals(Map.of("read", 7, "applied", 4, "dead_lettered_again", 3, "skipped", 0, "remaining", 0), counts(replay));
                assertTrue(replay.get("complete").asBoolean());
                assertEquals(5, db.count(POTATO), "the fixed records applied");
                for (int id = 1; id <= 5; id++) {
                    assertEquals(7, db.find(POTATO, id).get("camera_id"));
                }
                List<DeadLetterTopic.Letter> again = dlq.awaitLetters(10, Duration.ofSeconds(30)).subList(7, 10);
                assertSecondLife(first, again, "2");

                // a second replay reads only what the first dead-lettered again
                JsonNode second = replay(management, "");
                assertEquals(Map.of("read", 3, "applied", 0, "dead_lettered_again", 3, "skipped", 0, "remaining", 0), counts(second));
                assertSecondLife(first, dlq.awaitLetters(13, Duration.ofSeconds(30)).subList(10, 13), "3");

                // filtered out by reason: appended again unchanged, still pending for the next replay
                JsonNode filtered = replay(management, "?reason=mongo-rejected-11000&reason=invalid-hex");
                assertEquals(Map.of("read", 3, "applied", 0, "dead_lettered_again", 0, "skipped", 3, "remaining", 0), counts(filtered));
                List<DeadLetterTopic.Letter> requeued = dlq.awaitLetters(16, Duration.ofSeconds(30)).subList(13, 16);
                assertSecondLife(first, requeued, "3");
                assertEquals(3, management.get("/observe/dlq").json().get("replay").get("pending").asInt());

                JsonNode limited = replay(management, "?max=1");
                assertEquals(Map.of("read", 1, "applied", 0, "dead_lettered_again", 1, "skipped", 0, "remaining", 2), counts(limited));

                Scrape after = Scrape.of(app.managementPort());
                assertEquals(4, after.sum("lims_consumer_dlq_replayed_total", "result", "applied"));
                assertEquals(7, after.sum("lims_consumer_dlq_replayed_total", "result", "dead_lettered_again"));
                assertEquals(3, after.sum("lims_consumer_dlq_replayed_total", "result", "skipped"));
                assertEquals(5, after.sum("lims_consumer_records_total", "plant", POTATO), "replays are not records received");
                assertEquals(5, after.sum("lims_consumer_images_applied_total", "plant", POTATO, "operation", "upsert"),
                        "documents written, the replayed ones included");
            }
        }
    }

    /** Under static membership a graceful stop leaves the replay's group as it leaves the sync group, not at the session timeout. */
    @Test
    void aGracefulStopLeavesTheReplayGroupToo() throws Exception {
        TestScope scope = TestScope.create("replay-leave");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        int[] ports = LimsApp.freePorts(2);
        int managementPort = ports[1];
        Map<String, String> props = staticMember(scope, "replay-leave-instance", ports[0], managementPort);
        Http management = new Http(managementPort);
        String syncGroup = scope.appProperties().get("lims.kafka.group-id");
        String replayGroup = syncGroup + "-dlq-replay";
        try (LimsEvents events = new LimsEvents(scope); Admin admin = Admin.create(Map.of("bootstrap.servers", LimsInfrastructure.brokers()))) {
            // the packaged app, stopped with SIGTERM as a pod is: the leaving is the application's, on its way out
            try (ChildProcess app = ChildProcess.app(props, Map.of())) {
                await("started").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                        .until(() -> management.get("/observe/health/ready").status() == 200);
                try (DeadLetterTopic dlq = new DeadLetterTopic(scope)) {
                    events.sendRaw(TOMATO, "bad-1", "not json".getBytes(StandardCharsets.UTF_8), Map.of());
                    dlq.awaitLetters(1, Duration.ofSeconds(60));
                }
                JsonNode replay = replay(management, "");
                assertEquals(1, replay.get("read").asInt(), replay.toString());
                assertEquals(List.of("replay-leave-instance"), staticMembers(admin, replayGroup), "the replay's consumer stays a member of its group");
                assertEquals(List.of("replay-leave-instance"), staticMembers(admin, syncGroup));
                app.stop(60);
            }
            // within the 10 s session timeout, which would remove them anyway
            assertEquals(List.of(), staticMembers(admin, replayGroup), "the replay group left at the stop");
            assertEquals(List.of(), staticMembers(admin, syncGroup), "the sync group left at the stop");
        }
    }

    /** The packaged app's settings as a static member of its groups, on free ports. */
    private static Map<String, String> staticMember(TestScope scope, String instance, int httpPort, int managementPort) {
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("camel.component.kafka.groupInstanceId", instance);
        props.put("lims.http.port", String.valueOf(httpPort));
        props.put("lims.management.port", String.valueOf(managementPort));
        return props;
    }

    private static List<String> staticMembers(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get(10, java.util.concurrent.TimeUnit.SECONDS).get(group).members().stream()
                .map(m -> m.groupInstanceId().orElse("(dynamic) " + m.consumerId())).toList();
    }

    /**
     * SIGKILL in the middle of a replay, then a restart and a second replay: every fixable record
     * applied once with its own content, every poison back in the dead-letter topic, nothing lost.
     */
    @Test
    void killedMidReplayResumesFromTheCommittedPosition() throws Exception {
        TestScope scope = TestScope.create("replay-kill");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        int fixable = 300;
        int poison = 15;
        int[] ports = LimsApp.freePorts(2);
        int managementPort = ports[1];
        Map<String, String> props = staticMember(scope, "replay-kill-instance", ports[0], managementPort);
        // small batches: the replay takes many commits, so the kill lands between two of them
        props.put("camel.component.kafka.maxPollRecords", "10");
        Http management = new Http(managementPort);
        // the test's reader of the dead-letter topic joins once the first app created it (see below)
        try (ConsumerDb db = new ConsumerDb(scope); LimsEvents events = new LimsEvents(scope); LazyLetters dlq = new LazyLetters(scope)) {
            uniqueCameraIndex(db, scope);
            for (int id = 1; id <= fixable + 1; id++) {
                events.sendAsync(POTATO, String.valueOf(id), LimsEvents.json(withCamera(id, 7)));
                if (id % 20 == 0) {
                    events.sendAsync(TOMATO, "bad-" + id, ("not json " + id).getBytes(StandardCharsets.UTF_8));
                }
            }
            events.flush();
            int deadLetters = fixable + poison;

            CompletableFuture<Http.Response> interrupted;
            try (ChildProcess first = ChildProcess.app(props, Map.of())) {
                try {
                    await("started").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                            .until(() -> management.get("/observe/health/ready").status() == 200);
                    dlq.awaitLetters(deadLetters, Duration.ofSeconds(120));
                    db.database().getCollection(scope.collection(POTATO)).dropIndex("camera_id_1");  // the fix
                    interrupted = CompletableFuture.supplyAsync(() -> management.post("/observe/dlq/replay", null));
                    await("replay well under way").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                            .until(() -> replayCommitted(scope) >= 100);
                    assertEquals(409, management.post("/observe/dlq/replay", null).status(), "one replay at a time");
                } catch (RuntimeException | AssertionError e) {
                    throw new AssertionError("first run: " + e.getMessage() + "; output:\n" + first.tail(80), e);
                }
                first.kill();
            }
            long committedAtKill = replayCommitted(scope);
            assertTrue(committedAtKill < deadLetters, "killed mid-replay (" + committedAtKill + " of " + deadLetters + " committed)");
            assertTrue(interrupted.handle((r, e) -> e != null || r.status() != 200).get(), "the interrupted replay did not answer 200");

            try (ChildProcess second = ChildProcess.app(props, Map.of())) {
                await("restarted").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                        .until(() -> management.get("/observe/health/ready").status() == 200);
                long resumedAt = System.nanoTime();
                JsonNode resumed = replay(management, "");
                System.out.printf("replay killed after %d of %d dead letters committed; resumed replay read %d in %.1f s: %s%n",
                        committedAtKill, deadLetters, resumed.get("read").asLong(), (System.nanoTime() - resumedAt) / 1e9, resumed);
                assertTrue(resumed.get("complete").asBoolean(), resumed.toString());
                assertEquals(0, resumed.get("remaining").asInt());
                assertTrue(resumed.get("read").asLong() >= deadLetters - committedAtKill, "read what was not committed: " + resumed);
                assertEquals(committedAtKill + resumed.get("read").asLong(), replayCommitted(scope), "resumed from the committed position");
                assertEquals(resumed.get("read").asLong(), resumed.get("applied").asLong() + resumed.get("dead_lettered_again").asLong());
            }
            assertEquals(fixable + 1, db.count(POTATO), "every fixed record applied once");
            for (int id = 1; id <= fixable + 1; id++) {
                Document d = db.find(POTATO, id);
                assertNotNull(d, "record " + id);
                assertEquals(7, d.get("camera_id"));
            }
            Set<String> poisonAgain = dlq.awaitLetters(deadLetters + poison, Duration.ofSeconds(30)).stream()
                    .filter(l -> "2".equals(l.header("lims.dlq.attempts"))).map(DeadLetterTopic.Letter::key).collect(Collectors.toSet());
            assertEquals(poison, poisonAgain.size(), "every poison record back in the dead-letter topic");
        }
    }

    /** A reader of the dead-letter topic opened on first use, once the app created the topic (a reader first would auto-create it). */
    private static final class LazyLetters implements AutoCloseable {
        private final TestScope scope;
        private DeadLetterTopic topic;

        LazyLetters(TestScope scope) {
            this.scope = scope;
        }

        List<DeadLetterTopic.Letter> awaitLetters(int expected, Duration timeout) {
            if (topic == null) {
                topic = new DeadLetterTopic(scope);
            }
            return topic.awaitLetters(expected, timeout);
        }

        @Override
        public void close() {
            if (topic != null) {
                topic.close();
            }
        }
    }

    private static Map<String, Object> withCamera(long id, int camera) {
        Map<String, Object> r = LimsEvents.record(id, LimsEvents.image(id, 400), T0, null);
        r.put("camera_id", camera);
        return r;
    }

    private static void uniqueCameraIndex(ConsumerDb db, TestScope scope) {
        db.database().getCollection(scope.collection(POTATO)).createIndex(Indexes.ascending("camera_id"), new IndexOptions().unique(true));
    }

    private static JsonNode replay(Http management, String query) {
        Http.Response r = management.post("/observe/dlq/replay" + query, null);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    private static Map<String, Integer> counts(JsonNode answer) {
        Map<String, Integer> counts = new HashMap<>();
        for (String field : List.of("read", "applied", "dead_lettered_again", "skipped", "remaining")) {
            counts.put(field, answer.get(field).asInt());
        }
        return counts;
    }

    /** The same poison records as first dead-lettered, with the given attempts and their original source coordinates. */
    private static void assertSecondLife(List<DeadLetterTopic.Letter> first, List<DeadLetterTopic.Letter> later, String attempts) {
        Map<String, DeadLetterTopic.Letter> byKey = first.stream().collect(Collectors.toMap(DeadLetterTopic.Letter::key, l -> l));
        for (DeadLetterTopic.Letter letter : later) {
            DeadLetterTopic.Letter original = byKey.get(letter.key());
            assertNotNull(original, "a record dead-lettered before: " + letter.key());
            assertEquals("not-json", letter.header("lims.dlq.reason"));
            assertEquals(attempts, letter.header("lims.dlq.attempts"), letter.key());
            for (String header : List.of("lims.dlq.topic", "lims.dlq.partition", "lims.dlq.offset", "origin")) {
                assertEquals(original.header(header), letter.header(header), header + " of " + letter.key());
            }
            assertEquals(new String(original.value(), StandardCharsets.UTF_8), new String(letter.value(), StandardCharsets.UTF_8));
        }
    }

    private static List<String> textList(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static long replayCommitted(TestScope scope) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", LimsInfrastructure.brokers()))) {
            var committed = admin.listConsumerGroupOffsets(scope.group() + "-dlq-replay").partitionsToOffsetAndMetadata().get();
            var offset = committed.get(new TopicPartition(scope.dlqTopic(), 0));
            return offset == null ? 0 : offset.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
