package org.lims.consumer.sync;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.RunningApp;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync routes on a real broker and Mongo-wire server: every operation, for every plant, and fidelity. */
@ExtendWith(LimsInfrastructure.class)
class SyncRoutesIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2023, 10, 9, 18, 43, 37, 500_688_000);

    static RunningApp running;
    static TestScope scope;
    static LimsApp app;
    static LimsEvents events;
    static ConsumerDb db;

    @BeforeAll
    static void start() {
        running = RunningApp.start("sync");
        scope = running.scope();
        app = running.app();
        events = running.events();
        db = running.db();
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    static Date utc(LocalDateTime t) {
        return Date.from(t.toInstant(ZoneOffset.UTC));
    }

    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void createUpdateSoftDeleteThenTombstone(String plant) {
        byte[] image = LimsEvents.image(1, 2048);
        Map<String, Object> created = LimsEvents.record(1, image, T0, null);
        events.send(plant, created);
        Document stored = db.awaitRecord(plant, 1, d -> true);
        assertEquals(false, stored.get("is_deleted"));
        assertNull(stored.get("updated_at"));
        assertEquals(utc(T0).getTime() / 1000, stored.getDate("created_at").getTime() / 1000);

        Map<String, Object> updated = LimsEvents.copy(created);
        updated.put("updated_at", T0.plusMinutes(5).format(LimsEvents.LIMS_TIME));
        updated.put("is_active", true);
        updated.put("disease", "Healthy");
        updated.put("percentage", 0.995);
        events.send(plant, updated);
        stored = db.awaitRecord(plant, 1, d -> "Healthy".equals(d.get("disease")));
        assertEquals(true, stored.get("is_active"));
        assertEquals(0.995, stored.getDouble("percentage"));
        assertEquals(utc(T0.plusMinutes(5)), stored.getDate("updated_at"));

        Map<String, Object> softDeleted = LimsEvents.copy(updated);
        softDeleted.put("updated_at", T0.plusMinutes(10).format(LimsEvents.LIMS_TIME));
        softDeleted.put("is_deleted", true);
        events.send(plant, softDeleted);
        stored = db.awaitRecord(plant, 1, d -> Boolean.TRUE.equals(d.get("is_deleted")));
        assertEquals("Healthy", stored.get("disease"), "a soft delete keeps the record");

        events.sendRaw(plant, "1", null, Map.of());
        db.awaitAbsent(plant, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void explicitOperationWins(String plant) {
        Map<String, Object> record = LimsEvents.record(2, LimsEvents.image(2, 512), T0, null);
        record.put("operation", "create");
        events.send(plant, record);
        Document stored = db.awaitRecord(plant, 2, d -> true);
        assertFalse(stored.containsKey("operation"), "the envelope field 'operation' is not a record field");

        Map<String, Object> deleted = LimsEvents.record(2, LimsEvents.image(2, 512), T0, T0.plusSeconds(30));
        deleted.put("is_deleted", false);
        events.sendRaw(plant, "2", LimsEvents.json(deleted), LimsEvents.headers("operation", "delete"));
        stored = db.awaitRecord(plant, 2, d -> Boolean.TRUE.equals(d.get("is_deleted")));
        assertEquals(utc(T0.plusSeconds(30)), stored.getDate("updated_at"), "explicit delete is a soft delete of that version");
    }

    @Test
    void storedRecordKeepsNativeTypesAndUnknownFields() {
        byte[] image = LimsEvents.image(3, 40_000);
        long bigId = 3_000_000_000L;
        Map<String, Object> record = LimsEvents.record(bigId, image, T0, T0.plusDays(1));
        record.put("camera_id", 7);
        record.put("percentage", 1);
        record.put("extra", Map.of("nested", List.of(1, "x", true)));
        events.send("tomato", record);
        Document stored = db.awaitRecord("tomato", bigId, d -> true);

        assertInstanceOf(Long.class, stored.get("id"), "an id beyond int32 is stored as int64");
        assertInstanceOf(Integer.class, stored.get("camera_id"));
        assertArrayEquals(image, stored.get("data", Binary.class).getData());
        assertEquals(0, stored.get("data", Binary.class).getType(), "binary subtype 0");
        assertEquals(utc(T0), stored.getDate("created_at"));
        assertEquals(utc(T0.plusDays(1)), stored.getDate("updated_at"));
        assertEquals(1.0, stored.get("percentage"));
        assertEquals(List.of(48.476563, 16.585654), stored.get("gps_coordinates"));
        assertEquals(new Document("nested", List.of(1, "x", true)), stored.get("extra"));
        assertEquals(List.of("_id", "id", "camera_id", "data", "gps_coordinates", "created_at", "updated_at",
                "is_active", "is_deleted", "disease", "percentage", "extra"), List.copyOf(stored.keySet()),
                "exactly the record's fields plus _id, nothing of the sync's own");
        Document small = db.awaitRecord("tomato", bigId, d -> true);
        assertTrue(small.get("_id") != null);
    }

    @Test
    void isDeployedMarkerAndUniqueIndexesExist() {
        Document marker = db.database().getCollection("is_deployed").find().first();
        assertEquals(true, marker.get("is_deployed"));
        for (String plant : TestScope.PLANTS) {
            boolean unique = db.database().getCollection(scope.collection(plant)).listIndexes().into(new java.util.ArrayList<>())
                    .stream().anyMatch(i -> new Document("id", 1).equals(i.get("key")) && Boolean.TRUE.equals(i.get("unique")));
            assertTrue(unique, "unique index on id in " + scope.collection(plant));
        }
    }
}
