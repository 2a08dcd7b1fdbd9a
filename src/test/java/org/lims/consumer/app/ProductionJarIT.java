package org.lims.consumer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.api.Http;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production artifact: {@code target/lims-consumer.jar} holds the app and nothing else, runs
 * when copied alone to an empty directory, and takes a new plant from configuration only.
 */
@ExtendWith(LimsInfrastructure.class)
class ProductionJarIT {

    /** What the dev launcher, the tools and the test infrastructure bring, and production must not carry. */
    private static final List<String> BANNED_CLASS_PREFIXES = List.of(
            "org/lims/consumer/dev/", "org/lims/consumer/bench/", "org/lims/consumer/experiment/", "org/lims/consumer/faults/",
            "org/lims/consumer/testinfra/", "kafka/server/", "kafka/log/", "kafka/raft/", "scala/", "org/apache/zookeeper/",
            "org/h2/", "de/bwaldvogel/", "org/apache/kafka/raft/", "org/apache/kafka/metadata/", "org/apache/kafka/storage/",
            "org/apache/kafka/server/common/", "org/apache/kafka/coordinator/", "org/junit/", "org/jfree/", "io/fabric8/");
    private static final Pattern BANNED_ARTIFACTS = Pattern.compile(
            "kafka_2\\.13|kafka-server.*|kafka-raft|kafka-storage.*|kafka-metadata|kafka-group-coordinator|scala-library|zookeeper|h2"
                    + "|mongo-java-server.*|junit.*|jfreechart|kubernetes-model.*");
    private static final Pattern BUNDLED_ARTIFACT = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");

    @Test
    void theJarHoldsNoDevToolOrTestClassNorTheirDependencies() throws Exception {
        List<String> banned = new ArrayList<>();
        TreeSet<String> bundled = new TreeSet<>();
        try (JarFile jar = new JarFile(ChildProcess.appJar().toFile())) {
            jar.stream().forEach(entry -> {
                String name = entry.getName();
                BANNED_CLASS_PREFIXES.stream().filter(name::startsWith).findFirst().ifPresent(p -> banned.add(name));
                Matcher m = BUNDLED_ARTIFACT.matcher(name);
                if (m.matches()) {
                    bundled.add(m.group(1) + ":" + m.group(2));
                    if (BANNED_ARTIFACTS.matcher(m.group(2)).matches()) {
                        banned.add(name);
                    }
                }
            });
            assertTrue(banned.isEmpty(), "dev, tool or test code in the production jar: " + banned.subList(0, Math.min(20, banned.size())));
            assertTrue(bundled.contains("org.apache.camel:camel-main") && jar.getEntry("org/apache/kafka/clients/consumer/KafkaConsumer.class") != null
                    && jar.getEntry("com/mongodb/client/MongoClient.class") != null, "the jar is self-contained: " + bundled);
            assertEquals("org.lims.consumer.Application", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(jar.getEntry("application-dev.properties") == null && jar.getEntry("routes-dev/demo-traffic.camel.yaml") == null,
                    "no dev profile or dev routes");
        }
        System.out.printf("production jar: %.1f MB, %d bundled artifacts%n", Files.size(ChildProcess.appJar()) / 1e6, bundled.size());
    }

    @Test
    void copiedAloneToAnEmptyDirectoryItSyncsAndServesAPlantAddedByConfigurationOnly() throws Exception {
        Path dir = LimsInfrastructure.tempDir("lims-prod-jar");
        Path jar = Files.copy(ChildProcess.appJar(), dir.resolve("lims-consumer.jar"), StandardCopyOption.REPLACE_EXISTING);
        TestScope scope = TestScope.create("prodjar");
        List<String> topics = new ArrayList<>(scope.topics());
        topics.add(scope.topic("cucumber"));
        LimsInfrastructure.createTopics(topics, 3);
        int http = LimsApp.freePort();
        int management = LimsApp.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("LIMS_KAFKA_BROKERS", LimsInfrastructure.brokers());
        env.put("LIMS_MONGODB_URI", LimsInfrastructure.mongoUri());
        env.put("LIMS_MONGODB_DATABASE", scope.database());
        env.put("LIMS_KAFKA_TOPIC_PREFIX", scope.prefix());
        env.put("LIMS_KAFKA_TOPICS", String.join(",", topics));
        env.put("LIMS_MONGODB_COLLECTION_CUCUMBER", "imagecolplantcucumber");
        env.put("LIMS_KAFKA_GROUP_ID", scope.group());
        env.put("LIMS_KAFKA_DLQ_TOPIC", scope.dlqTopic());
        env.put("LIMS_HTTP_PORT", String.valueOf(http));
        env.put("LIMS_MANAGEMENT_PORT", String.valueOf(management));
        LocalDateTime t0 = LocalDateTime.of(2024, 9, 1, 8, 0);
        try (ChildProcess app = ChildProcess.jar(jar).workDir(dir).jvmArgs("-Xmx512m").environment(env).start();
             LimsEvents events = new LimsEvents(scope);
             MongoClient mongo = MongoClients.create(LimsInfrastructure.mongoUri())) {
            Http api = new Http(http);
            Http observe = new Http(management);
            await("ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
                assertTrue(app.isAlive(), app.output());
                try {
                    return observe.get("/observe/health/ready").status() == 200;
                } catch (java.io.UncheckedIOException notListeningYet) {
                    return false;
                }
            });
            for (long id = 1; id <= 3; id++) {
                events.send("cucumber", LimsEvents.record(id, LimsEvents.image(id, 200), t0, null));
            }
            events.send("cucumber", LimsEvents.record(2, LimsEvents.image(2, 200), t0, t0.plusMinutes(5)));
            events.send("potato", LimsEvents.record(7, LimsEvents.image(7, 200), t0, null));
            MongoDatabase db = mongo.getDatabase(scope.database());
            await("cucumber and potato synced").atMost(Duration.ofSeconds(60)).until(() ->
                    db.getCollection("imagecolplantcucumber").countDocuments() == 3
                    && db.getCollection("imagecolplantpotato").countDocuments() == 1
                    && db.getCollection("imagecolplantcucumber").find(new Document("id", 2)).first().get("updated_at") != null);
            assertTrue(PlantMappingIT.hasUniqueIdIndex(db, "imagecolplantcucumber"), "the new plant's collection has its unique id index");

            JsonNode image = api.get("/image-plant/cucumber/2").json();
            assertEquals(2, image.get("id").asInt());
            assertEquals("2024-09-01T08:05:00", image.get("updated_at").asText().substring(0, 19));
            assertEquals(3, api.get("/image-plant/cucumber/total/").json().get("total_images").asInt());
            assertEquals(200, api.get("/image-plant/cucumber/random/").status());
            JsonNode page = api.get("/image-plant/cucumber/?from_id=2&limit=5").json();
            assertEquals(2, page.get("image_list").size(), page.toString());
            assertEquals(1, api.get("/image-plant/potato/7").json().get("camera_id").asInt(), "the other plants still work");
            assertEquals(404, api.get("/image-plant/lettuce/1").status(), "an unconfigured plant stays 404");
            assertTrue(api.get("/openapi.json").body().contains("cucumber"), "the OpenAPI document names the configured plants");
            try (var listing = Files.list(dir)) {
                assertEquals(List.of("lims-consumer.jar"), listing.map(p -> p.getFileName().toString()).sorted().toList(),
                        "nothing else was needed beside the jar, and it wrote nothing there");
            }
        }
    }
}
