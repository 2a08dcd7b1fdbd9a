package org.lims.consumer.sync;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.dev.EmbeddedMongo;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** MongoDB stopped mid-stream and started again: the sync waits, retries, and loses nothing. */
@ExtendWith(LimsInfrastructure.class)
class MongoOutageIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 6, 1, 0, 0);

    @Test
    void everyEventIsAppliedAcrossAMongoRestart() throws Exception {
        Assumptions.assumeTrue(LimsInfrastructure.embeddedMongo(), "needs a MongoDB this test may stop (not LIMS_MONGODB_URI)");
        TestScope scope = TestScope.create("outage");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Path store = LimsInfrastructure.tempDir("lims-outage").resolve("mongo.mv");
        int port = LimsApp.freePort();
        EmbeddedMongo mongo = EmbeddedMongo.start(port, store);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.mongodb.uri", mongo.connectionString());
        props.put("lims.sync.retry-max-delay-ms", "2000");
        int total = 600;
        try (LimsApp app = LimsApp.start(props); LimsEvents events = new LimsEvents(scope)) {
            for (int id = 1; id <= total / 2; id++) {
                events.sendAsync(TestScope.PLANTS.get(id % 3), String.valueOf(id),
                        LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 2000), T0, null)));
            }
            events.flush();
            try (var db = com.mongodb.client.MongoClients.create(mongo.connectionString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> count(db, scope) >= 50);
            }
            mongo.close();

            // the stream goes on while MongoDB is down: creates of new ids and updates of earlier ones
            for (int id = total / 2 + 1; id <= total; id++) {
                events.sendAsync(TestScope.PLANTS.get(id % 3), String.valueOf(id),
                        LimsEvents.json(LimsEvents.record(id, LimsEvents.image(id, 2000), T0, null)));
            }
            for (int id = 1; id <= 60; id++) {
                Map<String, Object> update = LimsEvents.record(id, LimsEvents.image(id, 2000), T0, T0.plusMinutes(1));
                update.put("disease", "Healthy");
                events.sendAsync(TestScope.PLANTS.get(id % 3), String.valueOf(id), LimsEvents.json(update));
            }
            events.flush();
            Thread.sleep(5000);
            assertEquals(true, KafkaLag.of(scope) > 0, "nothing is committed while MongoDB is down");

            mongo = EmbeddedMongo.start(port, store);
            try (var db = com.mongodb.client.MongoClients.create(mongo.connectionString())) {
                await("all records after the restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> count(db, scope) == total);
                KafkaLag.awaitZero(scope, Duration.ofSeconds(30));
                for (int id = 1; id <= 60; id++) {
                    Document d = db.getDatabase(scope.database()).getCollection(scope.collection(TestScope.PLANTS.get(id % 3)))
                            .find(new Document("id", id)).first();
                    assertEquals("Healthy", d.get("disease"), "update of " + id + " applied");
                }
                assertEquals(total, count(db, scope), "no duplicates");
            }
        } finally {
            mongo.close();
        }
    }

    private static long count(com.mongodb.client.MongoClient client, TestScope scope) {
        long n = 0;
        for (String plant : TestScope.PLANTS) {
            n += client.getDatabase(scope.database()).getCollection(scope.collection(plant)).countDocuments();
        }
        return n;
    }
}
