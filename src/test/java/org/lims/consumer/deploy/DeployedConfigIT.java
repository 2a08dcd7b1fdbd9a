package org.lims.consumer.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app started as the stg Deployment starts it: the rendered ConfigMaps' files written to a
 * directory as a volume mount would lay them out, the container environment taken from the rendered
 * env ConfigMap (mount paths moved to that directory; Kafka, MongoDB and ports pointed at the test
 * infrastructure). It must get ready (the readiness probe's path) and sync a record. The routes come
 * only from the mounted files (LIMS_ROUTES_INCLUDE has no classpath entry), and camel-main fails to
 * start when a properties location does not exist, so a synced record shows both mounts were used.
 */
@ExtendWith(LimsInfrastructure.class)
class DeployedConfigIT {

    static final String MOUNT = "/etc/lims-consumer";

    @Test
    void appStartedFromTheRenderedConfigMapsGetsReadyAndSyncs() throws Exception {
        Map<String, String> routes;
        Map<String, String> config;
        Map<String, String> env;
        Optional<List<String>> renderer = Manifests.renderer();
        if (renderer.isPresent()) {
            List<HasMetadata> stg = KustomizeManifestsTest.rendered("overlays/stg");
            routes = KustomizeManifestsTest.configMap(stg, "lims-consumer-routes").getData();
            config = KustomizeManifestsTest.configMap(stg, "lims-consumer-config").getData();
            env = KustomizeManifestsTest.environment(stg);
        } else {
            System.out.println("DeployedConfigIT: neither kubectl nor kustomize is on PATH: "
                    + "the ConfigMaps are generated from the files and literals the kustomizations name");
            routes = generatorFiles("lims-consumer-routes");
            config = generatorFiles("lims-consumer-config");
            env = baseEnvironmentLiterals();
        }

        Path mount = LimsInfrastructure.tempDir("lims-mount");
        write(mount.resolve("routes"), routes);
        write(mount.resolve("config"), config);

        TestScope scope = TestScope.create("deployed");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        int http = LimsApp.freePort();
        int management = LimsApp.freePort();
        Map<String, String> environment = new LinkedHashMap<>();
        env.forEach((k, v) -> environment.put(k, v.replace(MOUNT, mount.toString())));
        environment.put("LIMS_KAFKA_BROKERS", LimsInfrastructure.brokers());
        environment.put("LIMS_MONGODB_URI", LimsInfrastructure.mongoUri());
        environment.put("LIMS_HTTP_PORT", String.valueOf(http));
        environment.put("LIMS_MANAGEMENT_PORT", String.valueOf(management));
        environment.put("LIMS_KAFKA_GROUP_INSTANCE_ID", "lims-consumer-deployed-it-0");
        assertTrue(environment.get("LIMS_ROUTES_INCLUDE").startsWith("file:" + mount), environment.toString());
        // this test's own topics, group and database on the shared infrastructure
        Map<String, String> scoped = new HashMap<>(scope.appProperties());
        scoped.keySet().removeAll(List.of("lims.kafka.brokers", "lims.mongodb.uri"));

        HttpClient client = HttpClient.newHttpClient();
        try (ChildProcess app = ChildProcess.app(scoped, environment); LimsEvents events = new LimsEvents(scope);
             ConsumerDb db = new ConsumerDb(scope)) {
            await("readiness probe /observe/health/ready answers 200").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        if (!app.isAlive()) {
                            throw new AssertionError("app exited:\n" + app.output());
                        }
                        try {
                            return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + management + "/observe/health/ready")).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                        } catch (java.io.IOException notYet) {
                            return false;
                        }
                    });
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + management + "/observe/health/live")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            events.send("tomato", LimsEvents.record(7, LimsEvents.image(7, 200), LocalDateTime.of(2024, 9, 1, 12, 0), null));
            db.awaitRecord("tomato", 7, d -> true, Duration.ofSeconds(60));
        }
    }

    static void write(Path dir, Map<String, String> files) throws java.io.IOException {
        Files.createDirectories(dir);
        for (var f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
    }

    static Map<String, String> generatorFiles(String name) throws java.io.IOException {
        JsonNode k = Manifests.documents(Files.readString(Path.of("src/main/kustomization.yaml"))).get(0);
        Map<String, String> files = new LinkedHashMap<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            if (g.path("name").asText().equals(name)) {
                for (JsonNode f : g.path("files")) {
                    Path p = Path.of("src/main").resolve(f.asText());
                    files.put(p.getFileName().toString(), Files.readString(p));
                }
            }
        }
        return files;
    }

    static Map<String, String> baseEnvironmentLiterals() throws java.io.IOException {
        JsonNode k = Manifests.documents(Files.readString(Path.of("kustomize/base/kustomization.yaml"))).get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            if (g.path("name").asText().equals("lims-consumer-env")) {
                for (JsonNode literal : g.path("literals")) {
                    String[] kv = literal.asText().split("=", 2);
                    env.put(kv[0], kv[1]);
                }
            }
        }
        return env;
    }
}
