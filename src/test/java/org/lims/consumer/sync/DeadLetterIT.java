package org.lims.consumer.sync;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.DeadLetterTopic;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.RunningApp;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Poison messages interleaved with good ones: every poison in the DLQ with its reason, every good one applied. */
@ExtendWith(LimsInfrastructure.class)
class DeadLetterIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 5, 1, 8, 0);

    static RunningApp running;
    static TestScope scope;
    static LimsEvents events;
    static ConsumerDb db;

    @BeforeAll
    static void start() {
        // a record of an unknown plant cannot arrive: start-up refuses a consumed topic without a collection
        // (ProdFailFastIT); route-plant's own refusal is a route test (RoutingRouteTest)
        running = RunningApp.start("dlq");
        scope = running.scope();
        events = running.events();
        db = running.db();
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    record Poison(String plant, String key, byte[] value, Map<String, String> headers, String reason) {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String good(long id) {
        return new String(LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 300), T0, null)), StandardCharsets.UTF_8);
    }

    @Test
    void poisonGoesToTheDeadLetterTopicAndGoodRecordsAreApplied() {
        String valid = good(1);
        byte[] latin1 = good(9).replace("\"camera_id\":1", "\"camera_id\":1,\"note\":\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
        List<Poison> poisons = List.of(
                new Poison("potato", "x1", utf8("not json at all"), Map.of(), "not-json"),
                new Poison("potato", "x2", utf8(valid.substring(0, valid.length() / 2)), Map.of(), "not-json"),
                new Poison("potato", "x3", utf8("[1,2,3]"), Map.of(), "not-an-object"),
                new Poison("tomato", "x4", utf8(valid.replace("\"id\":1", "\"id\":\"one\"")), Map.of(), "invalid-id"),
                new Poison("tomato", "x5", utf8(valid.replace("\"id\":1,", "")), Map.of(), "missing-id"),
                new Poison("tomato", "x6", utf8(valid.replace("\"id\":1", "\"id\":-4")), Map.of(), "invalid-id"),
                new Poison("pepper", "x7", utf8(valid.replace("\"id\":1", "\"id\":123456789012345678901234567890")), Map.of(), "invalid-id"),
                new Poison("pepper", "x8", utf8(valid.replace("\"data\":\"ffd8ff", "\"data\":\"zzd8ff")), Map.of(), "invalid-hex"),
                new Poison("pepper", "x9", utf8(valid.replace("\"data\":\"ffd8ff", "\"data\":\"ffd8f")), Map.of(), "invalid-hex"),
                new Poison("potato", "x10", utf8(valid.replace("\"is_active\":false", "\"is_active\":\"no\"")), Map.of(), "wrong-type"),
                new Poison("potato", "x11", utf8(valid.replace("\"created_at\":\"", "\"created_at\":\"yesterday")), Map.of(), "invalid-date"),
                new Poison("tomato", "x12", utf8(valid.replace("[48.476563,16.585654]", "[48.4]")), Map.of(), "wrong-type"),
                new Poison("tomato", null, null, Map.of(), "tombstone-without-key"),
                new Poison("pepper", "x14", utf8(valid), Map.of("operation", "explode"), "invalid-operation"),
                new Poison("pepper", "x15", latin1, Map.of(), "invalid-encoding"));

        long id = 1000;
        List<Long> goodIds = new ArrayList<>();
        for (Poison p : poisons) {
            events.sendRaw(p.plant(), p.key(), p.value(), p.headers());
            long goodId = id++;
            events.send(p.plant(),
                    LimsEvents.record(goodId, LimsEvents.image(goodId, 300), T0, null));
            goodIds.add(goodId);
        }

        try (DeadLetterTopic dlq = new DeadLetterTopic(scope)) {
            List<DeadLetterTopic.Letter> letters = dlq.awaitLetters(poisons.size(), Duration.ofSeconds(60));
            assertEquals(poisons.size(), letters.size(), "exactly one dead letter per poison message");
            for (Poison p : poisons) {
                DeadLetterTopic.Letter letter = letters.stream()
                        .filter(l -> p.key() == null ? l.key() == null : p.key().equals(l.key())).findFirst()
                        .orElseThrow(() -> new AssertionError("no dead letter for key " + p.key()));
                assertEquals(p.reason(), letter.header("lims.dlq.reason"), "reason of " + p.key() + ": " + letter.header("lims.dlq.error"));
                assertArrayEquals(p.value(), letter.value(), "original value of " + p.key());
                assertEquals(scope.topic(p.plant()), letter.header("lims.dlq.topic"));
                assertNotNull(letter.header("lims.dlq.offset"));
                assertNotNull(letter.header("lims.dlq.partition"));
                assertTrue(letter.header("lims.dlq.exception").contains("Exception"), letter.header("lims.dlq.exception"));
                p.headers().forEach((k, v) -> assertEquals(v, letter.header(k), "original header " + k + " kept"));
            }
        }
        for (int i = 0; i < poisons.size(); i++) {
            db.awaitRecord(poisons.get(i).plant(), goodIds.get(i), d -> true);
        }
        KafkaLag.awaitZero(scope, Duration.ofSeconds(30));
        long stored = TestScope.PLANTS.stream().mapToLong(db::count).sum();
        assertEquals(goodIds.size(), stored, "only the good records reached MongoDB: "
                + TestScope.PLANTS.stream().map(pl -> pl + "=" + db.count(pl)).collect(Collectors.joining(",")));
    }
}
