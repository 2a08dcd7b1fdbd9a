package org.lims.consumer.observe;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.ProducerDb;
import org.lims.consumer.testinfra.PrometheusServer;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus scrapes the app; every PromQL expression of the Grafana dashboard and of the
 * alert rules is evaluated through its HTTP API: each must parse, and every dashboard panel must
 * return data. {@code promtool check rules} must pass on the alert rules.
 */
@ExtendWith(LimsInfrastructure.class)
class PrometheusIT {

    private static final Path DASHBOARD = Path.of("kustomize/components/metrics/dashboards/lims-consumer.json");
    private static final Path RULES = Path.of("kustomize/components/metrics/prometheusrule.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void dashboardAndAlertQueriesRunOnRealPrometheus() throws Exception {
        String prometheus = PrometheusServer.binary("prometheus");
        String promtool = PrometheusServer.binary("promtool");
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(prometheus != null && promtool != null,
                    "prometheus is not installed (apt-get install prometheus; .ci/run installs it)");
        }
        assertTrue(prometheus != null && promtool != null, "CI must provide prometheus and promtool (.ci/run installs them)");

        Path work = LimsInfrastructure.tempDir("lims-prometheus");
        Path rules = work.resolve("rules.yaml");
        YAML.writeValue(rules.toFile(), YAML.readTree(RULES.toFile()).get("spec"));
        Process check = new ProcessBuilder(promtool, "check", "rules", rules.toString()).redirectErrorStream(true).start();
        String checkOutput = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), "promtool check rules: " + checkOutput);

        TestScope scope = TestScope.create("prom");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        LocalDateTime t0 = LocalDateTime.of(2024, 10, 1, 0, 0);
        // reconciliation on, against a producer database holding records the consumer lacks: its row has data too
        String producerDatabase = scope.database() + "_producer";
        try (ProducerDb producer = new ProducerDb(LimsInfrastructure.mongoUri(), producerDatabase)) {
            for (String plant : TestScope.PLANTS) {
                producer.insert(plant, List.of(ProducerDb.record(1000, t0.toInstant(java.time.ZoneOffset.UTC), null, 1, 500)));
            }
        }
        Map<String, String> props = new java.util.HashMap<>(scope.appProperties());
        props.put("lims.producer.mongodb.uri", LimsInfrastructure.mongoUri());
        props.put("lims.producer.mongodb.database", producerDatabase);
        props.put("lims.reconcile.interval-s", "2");
        try (LimsApp app = LimsApp.start(props); LimsEvents events = new LimsEvents(scope)) {
            try (PrometheusServer server = PrometheusServer.start(app.managementPort(), work, rules)) {
                // traffic of every kind the dashboard shows: creates, updates, a stale version, poison
                for (int round = 0; round < 4; round++) {
                    for (String plant : TestScope.PLANTS) {
                        for (int id = 1; id <= 5; id++) {
                            events.send(plant, LimsEvents.record(id, LimsEvents.image(id, 500), t0, t0.plusMinutes(round)));
                        }
                        events.send(plant, LimsEvents.record(1, LimsEvents.image(1, 500), t0, null));
                    }
                    events.sendRaw("potato", "bad", "not json".getBytes(StandardCharsets.UTF_8), Map.of());
                    Thread.sleep(1500); // spreads the traffic over scrapes, so rates have something to measure
                }
                KafkaLag.awaitZero(scope, Duration.ofSeconds(60));
                await("scraped with lag gauges").atMost(Duration.ofSeconds(30))
                        .until(() -> !server.query("lims_consumer_lag_records").isEmpty()
                                && !server.query("lims_consumer_dlq_total").isEmpty()
                                && !server.query("rate(lims_consumer_images_applied_total[1m])").isEmpty()
                                && !server.query("increase(lims_consumer_reconcile_duration_seconds_count[1h]) > 0").isEmpty());

                List<String> failures = new ArrayList<>();
                for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).get("panels")) {
                    if (!panel.has("targets")) {
                        continue;
                    }
                    boolean panelHasData = false;
                    for (JsonNode target : panel.get("targets")) {
                        String expr = target.get("expr").asText().replace("$__rate_interval", "1m");
                        JsonNode result = server.query(expr);
                        boolean own = expr.contains("lims_consumer_") || expr.contains("camel_");
                        if (own && result.isEmpty()) {
                            failures.add(panel.get("title").asText() + ": no data for " + expr);
                        }
                        panelHasData |= !result.isEmpty();
                    }
                    if (!panelHasData) {
                        failures.add("panel without data: " + panel.get("title").asText());
                    }
                }
                for (JsonNode group : YAML.readTree(rules.toFile()).get("groups")) {
                    for (JsonNode rule : group.get("rules")) {
                        server.query(rule.get("expr").asText());
                    }
                }
                if (!failures.isEmpty()) {
                    fail(String.join("\n", failures));
                }
            }
        }
    }
}
