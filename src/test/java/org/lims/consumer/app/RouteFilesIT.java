package org.lims.consumer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;

import com.mongodb.client.MongoClients;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;

/**
 * Route files loaded from a directory (as Kubernetes mounts them from a ConfigMap), and an edit to
 * the mapping picked up by the running app (route reload), without a rebuild.
 */
@ExtendWith(LimsInfrastructure.class)
class RouteFilesIT {

    @Test
    void mappingEditedInARouteFileIsReloadedIntoTheRunningApp() throws Exception {
        TestScope scope = TestScope.create("reload");
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
        LocalDateTime t0 = LocalDateTime.of(2024, 8, 1, 0, 0);
        try (LimsApp app = LimsApp.start(props); LimsEvents events = new LimsEvents(scope);
             var mongo = MongoClients.create(LimsInfrastructure.mongoUri())) {
            var db = mongo.getDatabase(scope.database());
            events.send("potato", LimsEvents.record(1, LimsEvents.image(1, 100), t0, null));
            await("record in the configured collection").atMost(Duration.ofSeconds(30))
                    .until(() -> db.getCollection("imagecolplantpotato").countDocuments() == 1);

            Path sync = dir.resolve("sync.camel.yaml");
            String edited = Files.readString(sync).replace("constant: \"{{lims.mongodb.collection.potato}}\"", "constant: potato_archive");
            // as editors save: a complete new file replaces the old one (a truncated file would be read as empty)
            Path staged = Files.writeString(dir.resolve("sync.camel.yaml.tmp"), edited);
            Files.move(staged, sync, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await("route-plant reloaded").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                var route = app.context().getRoute("sync-batch");
                return route != null && app.context().getRouteController().getRouteStatus("sync-batch").isStarted()
                        && app.context().getRoutes().stream().anyMatch(r -> r.getRouteId().equals("route-plant")
                        && r.getUptimeMillis() < 30_000);
            });
            events.send("potato", LimsEvents.record(2, LimsEvents.image(2, 100), t0, null));
            await("record in the collection named by the edited route").atMost(Duration.ofSeconds(30))
                    .until(() -> db.getCollection("potato_archive").find(new Document("id", 2)).first() != null);
        }
    }
}
