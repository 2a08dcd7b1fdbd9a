package org.lims.consumer.api;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas (in-process apps on one database and consumer group, writes enabled) take REST
 * creates at once: their writers do not see each other, so only the unique id index keeps the ids
 * apart. Every create must get its own id, and answer exactly the record stored under it.
 */
@ExtendWith(LimsInfrastructure.class)
class RestReplicasIT {

    static final int CREATES_PER_REPLICA = 50;
    static final String PLANT = "potato";

    @Test
    void concurrentCreatesOnTwoReplicasGetDistinctIdsAndAnswerWhatIsStored() throws Exception {
        TestScope scope = TestScope.create("restreplicas");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.api.read-only", "false");
        try (LimsApp first = LimsApp.start(props); LimsApp second = LimsApp.start(props); ConsumerDb db = new ConsumerDb(scope)) {
            try (LimsEvents events = new LimsEvents(scope)) {
                // a create copies data from an existing image
                events.send(PLANT, LimsEvents.record(1, LimsEvents.image(1, 256), LocalDateTime.of(2024, 3, 1, 9, 0), null));
            }
            db.awaitCount(PLANT, 1, Duration.ofSeconds(60));
            List<Http> replicas = List.of(new Http(first.httpPort()), new Http(second.httpPort()));
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Http.Response>> answers = new ArrayList<>();
            List<Integer> replicaOf = new ArrayList<>();
            try {
                for (int i = 0; i < CREATES_PER_REPLICA; i++) {
                    for (int r = 0; r < replicas.size(); r++) {
                        Http replica = replicas.get(r);
                        int camera = i * 10 + r;
                        answers.add(pool.submit(() -> replica.put("/image-plant/" + PLANT + "/",
                                "{\"camera_id\": " + camera + ", \"gps_coordinates\": [45.0, 15.0]}")));
                        replicaOf.add(r);
                    }
                }
                Set<Long> ids = new TreeSet<>();
                Map<Integer, Set<Long>> idsByReplica = new HashMap<>();
                for (int i = 0; i < answers.size(); i++) {
                    Http.Response created = answers.get(i).get();
                    assertEquals(200, created.status(), created::toString);
                    long id = created.json().get("id").asLong();
                    assertTrue(ids.add(id), "id " + id + " answered twice");
                    idsByReplica.computeIfAbsent(replicaOf.get(i), r -> new TreeSet<>()).add(id);
                    // the answer is the record stored under that id: no later create overwrote it
                    assertEquals(created.body(), replicas.get(0).get("/image-plant/" + PLANT + "/" + id).body(), "id " + id);
                }
                assertEquals(2 * CREATES_PER_REPLICA, ids.size());
                assertEquals(List.of(2L, 1L + 2 * CREATES_PER_REPLICA), List.of(((TreeSet<Long>) ids).first(), ((TreeSet<Long>) ids).last()),
                        "the ids after the seeded one, without gaps: " + ids);
                assertEquals(1 + 2 * CREATES_PER_REPLICA, db.count(PLANT), "one record per create");
                System.out.println("replica ids: " + idsByReplica);
                assertTrue(interleaved(idsByReplica.get(0), idsByReplica.get(1)),
                        "the replicas created at the same time (their ids interleave): " + idsByReplica);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** True when neither replica's ids form one block before or after the other's. */
    static boolean interleaved(Set<Long> a, Set<Long> b) {
        TreeSet<Long> x = new TreeSet<>(a);
        TreeSet<Long> y = new TreeSet<>(b);
        return !(x.last() < y.first() || y.last() < x.first());
    }
}
