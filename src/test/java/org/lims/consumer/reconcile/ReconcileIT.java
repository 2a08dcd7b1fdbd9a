package org.lims.consumer.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoCollection;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.ProducerDb;
import org.lims.consumer.testinfra.RunningApp;
import org.lims.consumer.testinfra.Scrape;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reconciliation against a producer database (a second database of the test Mongo-wire server):
 * each kind of difference handled and counted, extras removed only when asked.
 */
@ExtendWith(LimsInfrastructure.class)
class ReconcileIT {

    static final Instant T0 = Instant.parse("2024-06-01T08:00:00Z");

    @Test
    void eachKindOfDifferenceIsHandledAndCounted() {
        try (Fixture f = Fixture.start("reconcile-kinds", Map.of())) {
            MongoCollection<Document> consumer = f.consumer("potato");
            List<Document> producer = new ArrayList<>();
            List<Document> stored = new ArrayList<>();
            for (int id = 1; id <= 40; id++) {
                producer.add(version(id, 2));
            }
            for (int id = 1; id <= 20; id++) {
                stored.add(version(id, 2));                  // equal
            }
            // 21..25 missing
            for (int id = 26; id <= 30; id++) {
                stored.add(version(id, 1));                  // stale
            }
            for (int id = 31; id <= 33; id++) {
                stored.add(version(id, 3));                  // newer
            }
            Document conflict = version(34, 2);
            conflict.put("is_deleted", true);
            stored.add(conflict);                            // same version, other is_deleted
            for (int id = 35; id <= 40; id++) {
                stored.add(version(id, 2));
            }
            stored.add(version(5001, 1));                    // extra, in a bucket of its own
            stored.add(version(41, 1));                      // extra, beside records the producer has
            producer.add(version(12_345, 1));                // missing, far away
            f.producer.insert("potato", producer);
            ProducerDb.insert(consumer, stored);

            ReconcileRun run = f.runOnce();
            assertTrue(run.succeeded(), run.failure());
            PlantComparison potato = run.plants().stream().filter(p -> p.getPlant().equals("potato")).findFirst().orElseThrow();
            assertEquals(Map.of(DifferenceKind.MISSING, 6L, DifferenceKind.STALE, 5L, DifferenceKind.NEWER, 3L,
                    DifferenceKind.EXTRA, 2L, DifferenceKind.CONFLICT, 1L), potato.found());
            assertEquals(11, potato.repaired());

            for (int id : new int[] {21, 25, 26, 30, 12_345}) {
                assertSameRecord(version(id, 2 - (id == 12_345 ? 1 : 0)), f.db.find("potato", id));
            }
            assertEquals(3, f.db.find("potato", 31).get("camera_id"), "a newer consumer version is kept");
            assertEquals(Boolean.TRUE, f.db.find("potato", 34).get("is_deleted"), "a conflict is reported, not written");
            assertNotNull(f.db.find("potato", 5001), "extras are kept without remove-extra");

            Scrape metrics = Scrape.of(f.app().managementPort());
            assertEquals(6, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "potato", "kind", "missing"));
            assertEquals(5, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "potato", "kind", "stale"));
            assertEquals(3, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "potato", "kind", "newer"));
            assertEquals(2, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "potato", "kind", "extra"));
            assertEquals(1, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "potato", "kind", "conflict"));
            assertEquals(0, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "tomato"));
            assertEquals(11, metrics.sum("lims_consumer_reconcile_repaired_total", "plant", "potato"));
            assertEquals(1, metrics.sum("lims_consumer_reconcile_differing_runs"));
            assertTrue(metrics.sum("lims_consumer_reconcile_bytes_read_total", "plant", "potato") > 0);

            // what is only reported stays; nothing is repaired twice
            ReconcileRun again = f.runOnce();
            assertEquals(0, again.repaired());
            assertEquals(6, again.differences(), "3 newer, 2 extra, 1 conflict again");
            assertEquals(2, Scrape.of(f.app().managementPort()).sum("lims_consumer_reconcile_differing_runs"), "two runs in a row");
        }
    }

    @Test
    void extrasAreRemovedWithRemoveExtraButNeverFromAnEmptyProducer() {
        try (Fixture f = Fixture.start("reconcile-extra", Map.of("lims.reconcile.remove-extra", "true"))) {
            f.producer.insert("potato", List.of(version(1, 1), version(2, 1)));
            ProducerDb.insert(f.consumer("potato"), List.of(version(1, 1), version(2, 1), version(3, 1), version(4000, 1)));
            ProducerDb.insert(f.consumer("pepper"), List.of(version(7, 1)));

            ReconcileRun run = f.runOnce();
            assertTrue(run.succeeded(), run.failure());
            assertNull(f.db.find("potato", 3));
            assertNull(f.db.find("potato", 4000));
            assertNotNull(f.db.find("potato", 1));
            assertNotNull(f.db.find("pepper", 7), "an empty producer collection removes nothing");
            Scrape metrics = Scrape.of(f.app().managementPort());
            assertEquals(2, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "potato", "kind", "extra"));
            assertEquals(2, metrics.sum("lims_consumer_reconcile_repaired_total", "plant", "potato"));
            assertEquals(1, metrics.sum("lims_consumer_reconcile_differences_total", "plant", "pepper", "kind", "extra"));
            assertEquals(0, metrics.sum("lims_consumer_reconcile_repaired_total", "plant", "pepper"));
        }
    }

    /** Version v of a record: updated v minutes after creation (v = 1: never updated); camera_id = v tells them apart. */
    static Document version(long id, int v) {
        Instant created = T0.plusSeconds(id);
        return ProducerDb.record(id, created, v == 1 ? null : created.plusSeconds(60L * v), v, 64);
    }

    static void assertSameRecord(Document expected, Document actual) {
        assertNotNull(actual, "record " + expected.get("id"));
        Document a = new Document(actual);
        a.remove("_id");
        Document e = new Document(expected);
        e.remove("_id");
        assertEquals(e.keySet(), a.keySet(), "fields of " + expected.get("id"));
        for (String key : e.keySet()) {
            Object x = e.get(key);
            Object y = a.get(key);
            if (x instanceof org.bson.types.Binary bx && y instanceof org.bson.types.Binary by) {
                assertTrue(java.util.Arrays.equals(bx.getData(), by.getData()), key + " of " + expected.get("id"));
            } else {
                assertTrue(ConsumerDb.sameValue(x, y), key + " of " + expected.get("id") + ": " + x + " vs " + y);
            }
        }
    }

    /** The app with reconciliation on against its own producer database; runs only when asked (and once at start-up). */
    static final class Fixture implements AutoCloseable {
        final RunningApp running;
        final ProducerDb producer;
        final ConsumerDb db;

        private Fixture(RunningApp running, ProducerDb producer) {
            this.running = running;
            this.producer = producer;
            this.db = running.db();
        }

        static Fixture start(String name, Map<String, String> overrides) {
            String producerDb = "limstest_producer_" + name.replace('-', '_') + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;
            ProducerDb producer = new ProducerDb(LimsInfrastructure.mongoUri(), producerDb);
            Map<String, String> props = new HashMap<>();
            props.put("lims.producer.mongodb.uri", LimsInfrastructure.mongoUri());
            props.put("lims.producer.mongodb.database", producerDb);
            props.put("lims.reconcile.interval-s", "3600");
            props.put("lims.reconcile.settle-ms", "200");
            props.putAll(overrides);
            RunningApp running = RunningApp.start(name, props);
            Fixture f = new Fixture(running, producer);
            // the start-up run over the empty databases
            await("start-up run").atMost(Duration.ofSeconds(30)).until(() ->
                    Scrape.of(running.app().managementPort()).sum("lims_consumer_reconcile_runs_total") >= 1);
            return f;
        }

        LimsApp app() {
            return running.app();
        }

        MongoCollection<Document> consumer(String plant) {
            return db.database().getCollection(running.scope().collection(plant));
        }

        /** One run, started now (waiting for one in progress to end first). */
        ReconcileRun runOnce() {
            ProducerTemplate template = app().context().createProducerTemplate();
            ReconcileRun[] run = new ReconcileRun[1];
            await("a reconciliation run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                run[0] = template.requestBody("direct:reconcile", null, ReconcileRun.class);
                return run[0] != null;
            });
            return run[0];
        }

        @Override
        public void close() {
            running.close();
            producer.close();
        }
    }
}
