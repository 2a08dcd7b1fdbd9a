package org.lims.consumer.reconcile;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoCollection;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.dev.EmbeddedMongo;
import org.lims.consumer.dev.sim.ImageApi;
import org.lims.consumer.observe.ReconcileMetrics;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.LogLines;
import org.lims.consumer.testinfra.ProducerDb;
import org.lims.consumer.testinfra.RunningApp;
import org.lims.consumer.testinfra.Scrape;
import org.lims.consumer.testinfra.TestScope;

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

    @Test
    void initialLoadWhileKafkaDeliversNewerVersionsEndsWithTheNewestOfEveryId() {
        int perPlant = 2000;
        List<String> progress = LogLines.capture("org.lims.consumer.reconcile");
        try (Fixture f = Fixture.create("reconcile-load", LimsInfrastructure.mongoUri(), Map.of("lims.reconcile.page-size", "500"))) {
            for (String plant : TestScope.PLANTS) {
                List<Document> records = new ArrayList<>();
                for (int id = 1; id <= perPlant; id++) {
                    records.add(version(id, 1));
                }
                f.producer.insert(plant, records);
            }
            f.startApp();
            // while the start-up run loads: the Image API changes every 7th record and publishes it; for every
            // 14th the producer database is not updated yet (the change Kafka carries is newer than what was read)
            for (int id = 7; id <= perPlant; id += 7) {
                for (String plant : TestScope.PLANTS) {
                    Document v2 = version(id, 2);
                    if (id % 14 != 0) {
                        f.producer.replace(plant, v2);
                    }
                    f.running.events().sendAsync(plant, String.valueOf(id), ImageApi.json(v2));
                }
            }
            f.running.events().flush();
            f.awaitRuns(ReconcileMetrics.OK, 1, Duration.ofSeconds(90));
            KafkaLag.awaitZero(f.running.scope(), Duration.ofSeconds(60));

            for (String plant : TestScope.PLANTS) {
                Map<Long, Document> stored = new HashMap<>();
                for (Document d : f.consumer(plant).find()) {
                    stored.put(((Number) d.get("id")).longValue(), d);
                }
                assertEquals(perPlant, stored.size(), plant + ": every producer record loaded once");
                for (int id = 1; id <= perPlant; id++) {
                    assertSameRecord(version(id, id % 7 == 0 ? 2 : 1), stored.get((long) id));
                }
            }
            int changed = 3 * (perPlant / 7);
            double repaired = f.metric("lims_consumer_reconcile_repaired_total");
            assertTrue(repaired >= 3 * perPlant - changed && repaired <= 3 * perPlant,
                    repaired + " repaired: every record once, except those a Kafka event reached first");
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("Reconcile potato: ") && l.contains(" records to repair checked (")
                    && l.contains("%") && l.contains("records/s")), "a progress line per repair page: " + progress);

            // the producer catches up with what Kafka carried: then nothing differs, and a run reads digests only
            for (int id = 14; id <= perPlant; id += 14) {
                for (String plant : TestScope.PLANTS) {
                    f.producer.replace(plant, version(id, 2));
                }
            }
            double before = f.metric("lims_consumer_reconcile_bytes_read_total");
            ReconcileRun quiet = f.runOnce();
            double bytes = f.metric("lims_consumer_reconcile_bytes_read_total") - before;
            assertEquals(0, quiet.differences(), quiet.summary());
            double perRecord = bytes / (3 * perPlant);
            System.out.printf("no-difference run over %d records: %.0f bytes read from the producer, %.3f bytes per record%n",
                    3 * perPlant, bytes, perRecord);
            assertTrue(bytes > 0 && perRecord <= 100, perRecord + " bytes per record");
            assertEquals(quiet.totalBytesRead(), bytes, 0.0, "the run's own count agrees with the metric");
        } finally {
            LogLines.stop();
        }
    }

    @Test
    void aProducerDatabaseThatStopsDuringARunFailsTheRunNotTheSync() throws Exception {
        Assumptions.assumeTrue(LimsInfrastructure.embeddedMongo(), "needs a producer MongoDB this test may stop (not LIMS_MONGODB_URI)");
        int port = LimsApp.freePort();
        Path store = LimsInfrastructure.tempDir("lims-producer").resolve("producer.mv");
        EmbeddedMongo server = EmbeddedMongo.start(port, store);
        String uri = server.connectionString() + "/?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000";
        int perPlant = 500;
        try (Fixture f = Fixture.create("reconcile-down", uri, Map.of("lims.reconcile.page-size", "50", "lims.reconcile.fetch-size", "25",
                "lims.reconcile.retry-initial-s", "1"))) {
            for (String plant : TestScope.PLANTS) {
                List<Document> records = new ArrayList<>();
                for (int id = 1; id <= perPlant; id++) {
                    records.add(version(id, 1));
                }
                f.producer.insert(plant, records);
            }
            f.startApp();
            await("the start-up run repairing").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> f.metric("lims_consumer_reconcile_repaired_total", "plant", "potato") > 0);
            server.close();
            f.awaitRuns(ReconcileMetrics.FAILED, 1, Duration.ofSeconds(30));
            assertEquals(0, f.metric("lims_consumer_reconcile_runs_total", "result", ReconcileMetrics.OK), "the run was under way");

            // the stream goes on and the app stays ready while the producer database is away
            for (int id = 5001; id <= 5010; id++) {
                f.running.events().send("tomato", org.lims.consumer.testinfra.LimsEvents.record(id, org.lims.consumer.testinfra.LimsEvents.image(id, 64),
                        java.time.LocalDateTime.of(2024, 7, 1, 0, 0), null));
            }
            f.db.awaitRecord("tomato", 5010, d -> true);
            assertEquals(200, ready(f.app().managementPort()), "readiness does not depend on the producer database");
            assertEquals(0, f.metric("lims_consumer_reconcile_runs_total", "result", ReconcileMetrics.OK));

            server = EmbeddedMongo.start(port, store);
            f.awaitRuns(ReconcileMetrics.OK, 1, Duration.ofSeconds(60));
            for (String plant : TestScope.PLANTS) {
                assertEquals(perPlant + (plant.equals("tomato") ? 10 : 0), f.db.count(plant), plant + ": loaded once the producer is back");
            }
        } finally {
            server.close();
        }
    }

    private static int ready(int managementPort) throws Exception {
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + managementPort + "/observe/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
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
        final String name;
        final String producerUri;
        final String producerDatabase;
        final ProducerDb producer;
        final Map<String, String> props = new HashMap<>();
        RunningApp running;
        ConsumerDb db;

        private Fixture(String name, String producerUri, Map<String, String> overrides) {
            this.name = name;
            this.producerUri = producerUri;
            this.producerDatabase = "limstest_producer_" + name.replace('-', '_') + "_" + ProcessHandle.current().pid() + "_"
                    + System.nanoTime() % 100000;
            this.producer = new ProducerDb(producerUri, producerDatabase);
            props.put("lims.producer.mongodb.uri", producerUri);
            props.put("lims.producer.mongodb.database", producerDatabase);
            props.put("lims.reconcile.interval-s", "3600");
            props.put("lims.reconcile.settle-ms", "200");
            props.putAll(overrides);
        }

        /** A producer database on the test server; the app is started by {@link #startApp()}. */
        static Fixture create(String name, String producerUri, Map<String, String> overrides) {
            return new Fixture(name, producerUri, overrides);
        }

        /** Producer database and app, the start-up run over the empty databases done. */
        static Fixture start(String name, Map<String, String> overrides) {
            Fixture f = create(name, LimsInfrastructure.mongoUri(), overrides).startApp();
            f.awaitRuns(ReconcileMetrics.OK, 1, Duration.ofSeconds(30));
            return f;
        }

        Fixture startApp() {
            running = RunningApp.start(name, props);
            db = running.db();
            return this;
        }

        LimsApp app() {
            return running.app();
        }

        double metric(String name, String... labels) {
            return Scrape.of(app().managementPort()).sum(name, labels);
        }

        void awaitRuns(String result, int atLeast, Duration timeout) {
            await(result + " runs >= " + atLeast).atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> metric("lims_consumer_reconcile_runs_total", "result", result) >= atLeast);
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
            if (running != null) {
                running.close();
            }
            producer.close();
        }
    }

}
