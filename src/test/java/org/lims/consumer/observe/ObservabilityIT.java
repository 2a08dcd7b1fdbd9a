package org.lims.consumer.observe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.dev.EmbeddedMongo;
import org.lims.consumer.sync.DeadLetterReplay;
import org.lims.consumer.sync.DeadLetters;
import org.lims.consumer.sync.Outcome;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.Scrape;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync metrics account for every record, every dashboard and alert series exists from start-up, and readiness follows MongoDB. */
@ExtendWith(LimsInfrastructure.class)
class ObservabilityIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 9, 1, 0, 0);
    private static final Path DASHBOARD = Path.of("kustomize/components/metrics/dashboards/lims-consumer.json");
    private static final Path RULES = Path.of("kustomize/components/metrics/prometheusrule.yaml");
    private static final Pattern SERIES = Pattern.compile("\\b(lims_consumer|camel)_[a-z_]+\\b");

    /**
     * A backlog (sent before the app starts, so that each topic arrives in one batch) with folded
     * updates, stale and equal replays, deletes of absent ids and poison, then the same kinds one by
     * one against the stored versions: per plant every record has exactly one outcome, each outcome
     * its exact count, and the outcomes add up to the records received.
     */
    @Test
    void everyRecordIsAccountedForPerPlant() {
        TestScope scope = TestScope.create("accounting");
        // one partition per topic: a topic's whole backlog comes in one poll, so the folding is exact
        LimsInfrastructure.createTopics(scope.topics(), 1);
        Map<String, Long> bytesSent = new HashMap<>();
        Map<String, Integer> sent = new HashMap<>();
        Events events = new Events(new LimsEvents(scope), bytesSent, sent);
        try (events) {
            for (int k = 0; k < TestScope.PLANTS.size(); k++) {
                String plant = TestScope.PLANTS.get(k);
                for (int id = 1; id <= 10; id++) {
                    events.version(plant, id, T0, null);                    // 10 creates
                }
                for (int id = 1; id <= 4; id++) {
                    events.version(plant, id, T0, T0.plusMinutes(1));       // 4 updates: the creates of 1-4 coalesced
                }
                for (int id = 1; id <= 2; id++) {
                    events.version(plant, id, T0, T0.plusMinutes(2));       // 2 more: the first updates of 1-2 coalesced
                }
                events.version(plant, 3, T0, T0.plusSeconds(30));           // stale: older than the update before it
                events.version(plant, 6, T0.minusDays(1), null);            // stale: created earlier than the stored create
                events.version(plant, 7, T0, null);                         // unchanged: the create again
                events.version(plant, 1, T0, T0.plusMinutes(2));            // unchanged: the newest update again
                events.raw(plant, "100", null);                             // unchanged: delete of an absent id
                events.raw(plant, "101", null);                             // unchanged: delete of an absent id
                for (int p = 0; p <= k; p++) {
                    events.raw(plant, "poison-" + p, "not json".getBytes(StandardCharsets.UTF_8));  // dead-lettered: k + 1
                }
            }
            try (LimsApp app = LimsApp.start(scope.appProperties())) {
                KafkaLag.awaitZero(scope, Duration.ofSeconds(60));
                // the same kinds one batch at a time, decided against the stored versions
                for (String plant : TestScope.PLANTS) {
                    events.version(plant, 5, T0.minusHours(1), null);       // stale against the stored create
                    events.version(plant, 8, T0, null);                     // unchanged: equal to the stored version
                    events.raw(plant, "200", null);                         // unchanged: delete of an absent id
                    Map<String, Object> deleted = LimsEvents.record(10, LimsEvents.image(10, 700), T0, T0.plusMinutes(5));
                    deleted.put("is_deleted", true);
                    events.raw(plant, "10", LimsEvents.json(deleted));      // applied: soft delete
                    events.raw(plant, "9", null);                           // applied: hard delete
                }
                KafkaLag.awaitZero(scope, Duration.ofSeconds(60));

                await("every record counted").atMost(Duration.ofSeconds(10)).until(() -> {
                    Scrape m = Scrape.of(app.managementPort());
                    return TestScope.PLANTS.stream().allMatch(p -> m.sum("lims_consumer_records_total", "plant", p)
                            == sent.get(p));
                });
                Scrape metrics = Scrape.of(app.managementPort());
                for (int k = 0; k < TestScope.PLANTS.size(); k++) {
                    String plant = TestScope.PLANTS.get(k);
                    assertEquals(28 + k, sent.get(plant), "records sent to " + plant);
                    assertEquals(sent.get(plant), (int) metrics.sum("lims_consumer_records_received_total", "plant", plant), plant + " received");
                    Map<String, Integer> outcomes = new LinkedHashMap<>();
                    outcomes.put("applied", 12);
                    outcomes.put("coalesced", 6);
                    outcomes.put("stale", 3);
                    outcomes.put("unchanged", 6);
                    outcomes.put("dead_lettered", k + 1);
                    int total = 0;
                    for (Map.Entry<String, Integer> o : outcomes.entrySet()) {
                        assertEquals(o.getValue(), (int) metrics.sum("lims_consumer_records_total", "plant", plant, "outcome", o.getKey()),
                                plant + " " + o.getKey());
                        total += o.getValue();
                    }
                    assertEquals(sent.get(plant), total, plant + ": the outcomes add up to the records received");
                    assertEquals(10, metrics.sum("lims_consumer_images_applied_total", "plant", plant, "operation", "upsert"), plant + " upserts");
                    assertEquals(1, metrics.sum("lims_consumer_images_applied_total", "plant", plant, "operation", "soft-delete"), plant);
                    assertEquals(1, metrics.sum("lims_consumer_images_applied_total", "plant", plant, "operation", "hard-delete"), plant);
                    assertEquals(bytesSent.get(plant), (long) metrics.sum("lims_consumer_image_bytes_total", "plant", plant), plant + " bytes");
                }
                assertEquals(0, metrics.sum("lims_consumer_records_total", "plant", SyncMetrics.UNKNOWN_PLANT));
                assertEquals(6, metrics.sum("lims_consumer_dlq_total", "reason", "not-json"));
                assertEquals(6, metrics.sum("lims_consumer_dlq_total"));
                assertEquals(33, metrics.sum("lims_consumer_freshness_seconds_count"), "one freshness sample per applied record with a version");
                assertTrue(metrics.sum("lims_consumer_bulk_write_seconds_count") >= 3);
                assertTrue(metrics.series("lims_consumer_records_total").stream()
                        .allMatch(s -> "lims-consumer".equals(s.labels().get("service"))), "every series carries the service label");
                assertTrue(metrics.sum("camel_exchanges_total", "routeId", "sync-batch", "service", "lims-consumer") >= 2,
                        "route metrics per route id, with the service label");
                assertTrue(metrics.series("camel_exchanges_total").stream().noneMatch(s -> "sync-record".equals(s.labels().get("routeId"))),
                        "the routes a batch passes once per record are not timed (lims.metrics.route-metrics-exclude)");
                await("lag gauges").atMost(Duration.ofSeconds(15)).until(() ->
                        Scrape.of(app.managementPort()).series("lims_consumer_lag_records").size() == 3);
                assertEquals(1, Scrape.of(app.managementPort()).sum("lims_consumer_ready"));
            }
        }
    }

    /** Sends events and keeps, per plant, the records and bytes sent. */
    private record Events(LimsEvents events, Map<String, Long> bytes, Map<String, Integer> count) implements AutoCloseable {
        void version(String plant, long id, LocalDateTime created, LocalDateTime updated) {
            raw(plant, String.valueOf(id), LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 700), created, updated)));
        }

        void raw(String plant, String key, byte[] value) {
            events.sendRaw(plant, key, value, Map.of());
            bytes.merge(plant, (long) key.length() + (value == null ? 0 : value.length), Long::sum);
            count.merge(plant, 1, Integer::sum);
        }

        @Override
        public void close() {
            events.close();
        }
    }

    /**
     * Right after start-up, before any record: every series a dashboard panel or an alert reads is
     * there, at 0, for every configured plant, outcome and known dead-letter reason. A healthy
     * service never shows "No data".
     */
    @Test
    void everyDashboardAndAlertSeriesExistsFromStartUp() throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = SERIES.matcher(Files.readString(DASHBOARD) + Files.readString(RULES));
        while (m.find()) {
            names.add(m.group());
        }
        assertTrue(names.contains("lims_consumer_records_total") && names.contains("lims_consumer_records_received_total"), names.toString());
        TestScope scope = TestScope.create("startup");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        try (LimsApp app = LimsApp.start(scope.appProperties())) {
            await("ready").atMost(Duration.ofSeconds(30)).until(() -> Scrape.of(app.managementPort()).sum("lims_consumer_ready") == 1);
            await("lag gauges").atMost(Duration.ofSeconds(15)).until(() ->
                    !Scrape.of(app.managementPort()).series("lims_consumer_lag_records").isEmpty());
            Scrape metrics = Scrape.of(app.managementPort());
            List<String> missing = new ArrayList<>();
            for (String name : names) {
                if (name.startsWith("lims_consumer_reconcile_")) {
                    // the reconciliation row reads series that exist while reconciliation is configured
                    // (lims.producer.mongodb.uri); PrometheusIT runs it and evaluates that row with data
                    continue;
                }
                List<Scrape.Sample> series = metrics.series(name);
                if (series.isEmpty()) {
                    missing.add(name);
                } else if (name.startsWith("lims_consumer_") && name.endsWith("_total")) {
                    series.forEach(s -> assertEquals(0, s.value(), "no record yet: " + s));
                }
            }
            assertEquals(List.of(), missing, "series a panel or an alert reads, absent at start-up");
            for (String plant : TestScope.PLANTS) {
                for (Outcome outcome : Outcome.values()) {
                    assertEquals(1, metrics.series("lims_consumer_records_total").stream().filter(s -> plant.equals(s.labels().get("plant"))
                            && outcome.label().equals(s.labels().get("outcome"))).count(), plant + " " + outcome.label());
                }
                for (String name : List.of("lims_consumer_records_received_total", "lims_consumer_image_bytes_total")) {
                    assertEquals(1, metrics.series(name).stream().filter(s -> plant.equals(s.labels().get("plant"))).count(), name + " " + plant);
                }
                // one per operation: upsert, soft-delete, hard-delete and insert (a REST create)
                assertEquals(org.lims.consumer.sync.Operation.values().length, metrics.series("lims_consumer_images_applied_total").stream()
                        .filter(s -> plant.equals(s.labels().get("plant"))).count(), "images applied per operation, " + plant);
            }
            Set<String> reasons = new TreeSet<>();
            metrics.series("lims_consumer_dlq_total").forEach(s -> reasons.add(s.labels().get("reason")));
            assertEquals(new TreeSet<>(DeadLetters.knownReasons()), reasons);
            assertTrue(reasons.containsAll(List.of("not-json", "invalid-hex", "unknown-topic", "mongo-rejected-11000")), reasons.toString());
            Set<String> results = new TreeSet<>();
            metrics.series("lims_consumer_dlq_replayed_total").forEach(s -> results.add(s.labels().get("result")));
            assertEquals(new TreeSet<>(DeadLetterReplay.RESULTS), results);
        }
    }

    @Test
    void readinessFollowsMongoDb() throws Exception {
        Assumptions.assumeTrue(LimsInfrastructure.embeddedMongo(), "needs a MongoDB this test may stop (not LIMS_MONGODB_URI)");
        TestScope scope = TestScope.create("ready");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Path store = LimsInfrastructure.tempDir("lims-ready").resolve("mongo.mv");
        int port = LimsApp.freePort();
        EmbeddedMongo mongo = EmbeddedMongo.start(port, store);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.mongodb.uri", mongo.connectionString());
        try (LimsApp app = LimsApp.start(props)) {
            String ready = "http://localhost:" + app.managementPort() + "/observe/health/ready";
            String live = "http://localhost:" + app.managementPort() + "/observe/health/live";
            await("ready").atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 200);
            assertTrue(get(ready).body().contains("\"UP\""));

            mongo.close();
            await("not ready without MongoDB").atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 503);
            HttpResponse<String> down = get(ready);
            assertTrue(down.body().contains("DOWN") && down.body().contains("mongodb"), down.body());
            assertEquals(200, get(live).statusCode(), "the process is alive all the same");

            mongo = EmbeddedMongo.start(port, store);
            await("ready again").atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 200);
        } finally {
            mongo.close();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
