package org.lims.consumer.testinfra;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.awaitility.Awaitility.await;

/** A real Prometheus (Debian package) scraping the app every second, queried through its HTTP API. */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String api;

    private PrometheusServer(Process process, String api) {
        this.process = process;
        this.api = api;
    }

    public static String binary(String name) {
        for (String dir : new String[] {"/usr/bin", "/usr/local/bin", "/bin"}) {
            if (new File(dir, name).canExecute()) {
                return dir + "/" + name;
            }
        }
        return null;
    }

    /** Starts Prometheus scraping {@code localhost:<managementPort>/observe/metrics}, with optional rule files. */
    public static PrometheusServer start(int managementPort, Path work, Path... ruleFiles) throws Exception {
        String prometheus = binary("prometheus");
        if (prometheus == null) {
            throw new IllegalStateException("prometheus is not installed (apt-get install prometheus)");
        }
        int port = LimsApp.freePort();
        Path config = work.resolve("prometheus.yml");
        StringBuilder rules = new StringBuilder();
        for (Path r : ruleFiles) {
            rules.append(rules.isEmpty() ? "" : ", ").append(r.toAbsolutePath());
        }
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [%s]
                scrape_configs:
                  - job_name: lims-consumer
                    metrics_path: /observe/metrics
                    static_configs:
                      - targets: ['localhost:%d']
                """.formatted(rules, managementPort));
        Process process = new ProcessBuilder(prometheus, "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(work.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port);
        await("prometheus ready").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> server.get("/-/ready").statusCode() == 200);
        return server;
    }

    /** Instant query; a rejected expression throws with Prometheus's message. */
    public JsonNode query(String expr) throws Exception {
        return result(get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)), expr);
    }

    public JsonNode queryRange(String expr, Instant start, Instant end, Duration step) throws Exception {
        return result(get("/api/v1/query_range?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)
                + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=" + step.toSeconds()), expr);
    }

    private static JsonNode result(HttpResponse<String> response, String expr) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus rejected `" + expr + "`: " + body.path("error").asText());
        }
        return body.path("data").path("result");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
