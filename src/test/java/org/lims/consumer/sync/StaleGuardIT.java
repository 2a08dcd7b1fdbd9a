package org.lims.consumer.sync;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.RunningApp;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Duplicates and out-of-order versions leave the database as if each record's newest version was applied once. */
@ExtendWith(LimsInfrastructure.class)
class StaleGuardIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 3, 1, 12, 0, 0, 123_456_000);

    static RunningApp running;
    static TestScope scope;
    static LimsApp app;
    static LimsEvents events;
    static ConsumerDb db;

    @BeforeAll
    static void start() {
        running = RunningApp.start("stale");
        scope = running.scope();
        app = running.app();
        events = running.events();
        db = running.db();
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void sameBatchDeliveredTwiceChangesNothing() {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int id = 1; id <= 50; id++) {
            Map<String, Object> r = LimsEvents.record(id, LimsEvents.image(id, 1024), T0, id % 2 == 0 ? T0.plusMinutes(id) : null);
            r.put("is_active", id % 3 == 0);
            batch.add(r);
        }
        batch.forEach(r -> events.send("potato", r));
        db.awaitCount("potato", 50, java.time.Duration.ofSeconds(30));
        List<Document> first = db.all("potato");

        batch.forEach(r -> events.send("potato", r));
        // a sentinel after the replay: once it is applied, the replay before it in the same partition was too
        Map<String, Object> sentinel = LimsEvents.record(1, LimsEvents.image(1, 1024), T0, T0.plusHours(1));
        events.send("potato", sentinel);
        db.awaitRecord("potato", 1, d -> d.get("updated_at") != null);

        List<Document> second = db.all("potato");
        assertEquals(50, second.size(), "no duplicate documents");
        for (int i = 0; i < first.size(); i++) {
            Document before = first.get(i);
            Document after = second.stream().filter(d -> d.get("_id").equals(before.get("_id"))).findFirst().orElseThrow();
            if (((Number) before.get("id")).intValue() == 1) {
                continue;
            }
            assertEquals(before, after, "record " + before.get("id") + " unchanged by the replay, _id included");
        }
    }

    @Test
    void olderUpdateAfterNewerIsSkipped() {
        Map<String, Object> v1 = LimsEvents.record(100, LimsEvents.image(100, 1024), T0, null);
        Map<String, Object> v2 = LimsEvents.copy(v1);
        v2.put("updated_at", T0.plusMinutes(10).format(LimsEvents.LIMS_TIME));
        v2.put("disease", "Late Blight");
        Map<String, Object> v3 = LimsEvents.copy(v1);
        v3.put("updated_at", T0.plusMinutes(20).format(LimsEvents.LIMS_TIME));
        v3.put("disease", "Healthy");

        events.send("tomato", v1);
        events.send("tomato", v3);
        db.awaitRecord("tomato", 100, d -> "Healthy".equals(d.get("disease")));
        Document newest = db.find("tomato", 100);

        events.send("tomato", v2);   // older than what is stored
        events.send("tomato", v1);   // the original create, replayed
        awaitQuiet();

        assertEquals(newest, db.find("tomato", 100), "stale and replayed versions change nothing");
    }

    @Test
    void newestVersionWinsWithinOneBatchWhateverTheOrder() {
        Map<String, Object> base = LimsEvents.record(200, LimsEvents.image(200, 512), T0, null);
        List<Map<String, Object>> versions = new ArrayList<>();
        for (int minute : new int[] {5, 30, 10, 25, 1}) {
            Map<String, Object> v = LimsEvents.copy(base);
            v.put("updated_at", T0.plusMinutes(minute).format(LimsEvents.LIMS_TIME));
            v.put("camera_id", minute);
            versions.add(v);
        }
        versions.forEach(v -> events.sendAsync("pepper", "200", LimsEvents.json(v)));
        events.flush();
        Document stored = db.awaitRecord("pepper", 200, d -> d.get("camera_id") != null);
        awaitQuiet();
        stored = db.find("pepper", 200);
        assertEquals(30, stored.get("camera_id"), "the version with the newest updated_at");
    }

    private static void awaitQuiet() {
        KafkaLag.awaitZero(scope, java.time.Duration.ofSeconds(30));
    }
}
