package org.lims.consumer.observe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.dev.EmbeddedMongo;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.Scrape;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync metrics count what happened, and readiness follows MongoDB. */
@ExtendWith(LimsInfrastructure.class)
class ObservabilityIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 9, 1, 0, 0);

    @Test
    void syncMetricsCountImagesBytesStaleAndDeadLetters() {
        TestScope scope = TestScope.create("metrics");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Map<String, Long> bytesSent = new HashMap<>();
        try (LimsApp app = LimsApp.start(scope.appProperties()); LimsEvents events = new LimsEvents(scope)) {
            // phase 1: three creates per plant
            for (String plant : TestScope.PLANTS) {
                for (int id = 1; id <= 3; id++) {
                    send(events, bytesSent, plant, String.valueOf(id), LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 700), T0, null)));
                }
            }
            KafkaLag.awaitZero(scope, Duration.ofSeconds(60));
            // phase 2: two updates and a soft delete per plant
            for (String plant : TestScope.PLANTS) {
                for (int id = 1; id <= 2; id++) {
                    send(events, bytesSent, plant, String.valueOf(id), LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 700), T0, T0.plusMinutes(1))));
                }
                Map<String, Object> deleted = LimsEvents.record(3, LimsEvents.image(3, 700), T0, T0.plusMinutes(1));
                deleted.put("is_deleted", true);
                send(events, bytesSent, plant, "3", LimsEvents.json(deleted));
            }
            KafkaLag.awaitZero(scope, Duration.ofSeconds(60));
            // phase 3: a tombstone, a stale version and poison
            for (String plant : TestScope.PLANTS) {
                send(events, bytesSent, plant, "2", null);
                send(events, bytesSent, plant, "1", LimsEvents.json(LimsEvents.record(1, LimsEvents.image(1, 700), T0, null)));
            }
            send(events, bytesSent, "potato", "p1", "not json".getBytes(StandardCharsets.UTF_8));
            send(events, bytesSent, "potato", "p2", "{\"id\": \"x\"}".getBytes(StandardCharsets.UTF_8));
            KafkaLag.awaitZero(scope, Duration.ofSeconds(60));

            await("metrics settled").atMost(Duration.ofSeconds(10)).until(() ->
                    Scrape.of(app.managementPort()).sum("lims_consumer_dlq_total") == 2);
            Scrape metrics = Scrape.of(app.managementPort());
            for (String plant : TestScope.PLANTS) {
                assertEquals(5, metrics.sum("lims_consumer_images_applied_total", "plant", plant, "operation", "upsert"), plant + " upserts");
                assertEquals(1, metrics.sum("lims_consumer_images_applied_total", "plant", plant, "operation", "soft-delete"), plant);
                assertEquals(1, metrics.sum("lims_consumer_images_applied_total", "plant", plant, "operation", "hard-delete"), plant);
                assertEquals(1, metrics.sum("lims_consumer_stale_skipped_total", "plant", plant), plant + " stale");
                assertEquals(bytesSent.get(plant), (long) metrics.sum("lims_consumer_image_bytes_total", "plant", plant), plant + " bytes");
            }
            assertEquals(1, metrics.sum("lims_consumer_dlq_total", "reason", "not-json"));
            assertEquals(1, metrics.sum("lims_consumer_dlq_total", "reason", "invalid-id"));
            assertEquals(18, metrics.sum("lims_consumer_freshness_seconds_count"), "one freshness sample per applied record with a version");
            assertTrue(metrics.sum("lims_consumer_bulk_write_seconds_count") >= 3);
            assertTrue(metrics.series("lims_consumer_images_applied_total").stream()
                    .allMatch(s -> "lims-consumer".equals(s.labels().get("service"))), "every series carries the service label");
            assertTrue(metrics.sum("camel_exchanges_total", "routeId", "sync-batch", "service", "lims-consumer") >= 3,
                    "route metrics per route id, with the service label");
            assertTrue(metrics.series("camel_exchanges_total").stream().noneMatch(s -> "sync-record".equals(s.labels().get("routeId"))),
                    "the routes a batch passes once per record are not timed (lims.metrics.route-metrics-exclude)");
            await("lag gauges").atMost(Duration.ofSeconds(15)).until(() ->
                    Scrape.of(app.managementPort()).series("lims_consumer_lag_records").size() == 9);
            assertEquals(1, Scrape.of(app.managementPort()).sum("lims_consumer_ready"));
        }
    }

    private static void send(LimsEvents events, Map<String, Long> bytes, String plant, String key, byte[] value) {
        events.sendRaw(plant, key, value, Map.of());
        bytes.merge(plant, (long) key.length() + (value == null ? 0 : value.length), Long::sum);
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
