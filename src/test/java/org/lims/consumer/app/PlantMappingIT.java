package org.lims.consumer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.api.Http;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plant mapping has one home, {@code route-plant} and the settings it reads: renaming a
 * collection there, by its property or in the route file of a running app (route reload, as
 * Kubernetes mounts route files from a ConfigMap), moves the sync, the REST reads and the unique
 * index together.
 */
@ExtendWith(LimsInfrastructure.class)
class PlantMappingIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 8, 1, 0, 0);

    @Test
    void aCollectionRenamedByItsPropertyIsFollowedBySyncRestAndIndex() throws Exception {
        TestScope scope = TestScope.create("rename-property");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.mongodb.collection.potato", "leaves_potato");
        try (LimsApp app = LimsApp.start(props); LimsEvents events = new LimsEvents(scope);
             MongoClient mongo = MongoClients.create(LimsInfrastructure.mongoUri())) {
            MongoDatabase db = mongo.getDatabase(scope.database());
            assertTrue(hasUniqueIdIndex(db, "leaves_potato"), "unique id index on the renamed collection");
            events.send("potato", LimsEvents.record(1, LimsEvents.image(1, 100), T0, null));
            await("record in the renamed collection").atMost(Duration.ofSeconds(30))
                    .until(() -> db.getCollection("leaves_potato").find(new Document("id", 1)).first() != null);
            assertEquals(0, db.getCollection("imagecolplantpotato").countDocuments(), "nothing in the default collection");
            Http http = new Http(app.httpPort());
            assertEquals(200, http.get("/image-plant/potato/1").status(), "REST reads the renamed collection");
            assertEquals(1, http.get("/image-plant/potato/total/").json().get("total_images").asInt());
        }
    }

    @Test
    void aCollectionRenamedInTheRouteFileOfARunningAppIsFollowedBySyncRestAndIndex() throws Exception {
        TestScope scope = TestScope.create("rename-route");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Path dir = LimsInfrastructure.tempDir("lims-routes");
        try (var files = Files.list(Path.of("src/main/resources/routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.routes.include", "file:" + dir + "/*.camel.yaml");
        props.put("camel.main.routesReloadEnabled", "true");
        props.put("camel.main.routesReloadDirectory", dir.toString());
        props.put("camel.main.routesReloadPattern", "*.camel.yaml");
        props.put("camel.main.routesReloadRemoveAllRoutes", "false");
        try (LimsApp app = LimsApp.start(props); LimsEvents events = new LimsEvents(scope);
             MongoClient mongo = MongoClients.create(LimsInfrastructure.mongoUri())) {
            MongoDatabase db = mongo.getDatabase(scope.database());
            Http http = new Http(app.httpPort());
            events.send("potato", LimsEvents.record(1, LimsEvents.image(1, 100), T0, null));
            await("record in the configured collection").atMost(Duration.ofSeconds(30))
                    .until(() -> db.getCollection("imagecolplantpotato").countDocuments() == 1);
            assertEquals(200, http.get("/image-plant/potato/1").status());

            // as the comment in route-plant shows an integrator: a branch before the settings' one
            Path sync = dir.resolve("sync.camel.yaml");
            String original = Files.readString(sync);
            String anchor = "            when:\n              - method:\n                  ref: plants";
            String edited = original.replace(anchor, "            when:\n"
                    + "              - simple: \"${variable.plant} == 'potato'\"\n"
                    + "                steps:\n"
                    + "                  - setVariable:\n"
                    + "                      name: collection\n"
                    + "                      constant: potato_archive\n"
                    + "              - method:\n                  ref: plants");
            assertNotEquals(original, edited, "route-plant has the shape the edit expects");
            // as editors save: a complete new file replaces the old one (a truncated file would be read as empty)
            Path staged = Files.writeString(dir.resolve("sync.camel.yaml.tmp"), edited);
            Files.move(staged, sync, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await("route-plant reloaded").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    app.context().getRouteController().getRouteStatus("sync-batch") != null
                    && app.context().getRouteController().getRouteStatus("sync-batch").isStarted()
                    && app.context().getRoutes().stream().anyMatch(r -> r.getRouteId().equals("route-plant") && r.getUptimeMillis() < 30_000));

            events.send("potato", LimsEvents.record(2, LimsEvents.image(2, 100), T0, null));
            await("record in the collection named by the edited route").atMost(Duration.ofSeconds(30))
                    .until(() -> db.getCollection("potato_archive").find(new Document("id", 2)).first() != null);
            await("unique id index on the new collection (prepare-database re-ran with the reload)").atMost(Duration.ofSeconds(30))
                    .until(() -> hasUniqueIdIndex(db, "potato_archive"));
            assertEquals(200, http.get("/image-plant/potato/2").status(), "REST reads the collection the route names now");
            assertEquals(404, http.get("/image-plant/potato/1").status(), "the record left in the old collection is no longer served");
            assertEquals(1, http.get("/image-plant/potato/total/").json().get("total_images").asInt());
            assertEquals(200, http.get("/image-plant/tomato/total/").status(), "other plants keep their mapping");
        }
    }

    static boolean hasUniqueIdIndex(MongoDatabase db, String collection) {
        for (Document index : db.getCollection(collection).listIndexes()) {
            if (new Document("id", 1).equals(index.get("key", Document.class)) && Boolean.TRUE.equals(index.get("unique"))) {
                return true;
            }
        }
        return false;
    }
}
