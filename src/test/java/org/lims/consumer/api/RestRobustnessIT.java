package org.lims.consumer.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.RunningApp;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Writes under load and input nobody should send: creates on an empty plant, 50 concurrent creates
 * per plant (distinct, consecutive ids), and a table-driven fuzz of malformed requests (no 5xx, a
 * JSON error body each time).
 */
@ExtendWith(LimsInfrastructure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestRobustnessIT {

    static final int CONCURRENT_CREATES = 50;
    static final int FUZZ_REQUESTS = 2400;

    static RunningApp running;
    static TestScope scope;
    static LimsApp app;
    static LimsEvents events;
    static ConsumerDb db;
    static Http http;

    @BeforeAll
    static void start() {
        running = RunningApp.start("restrobust", Map.of("lims.api.read-only", "false"));
        scope = running.scope();
        app = running.app();
        events = running.events();
        db = running.db();
        http = new Http(app.httpPort());
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    @Order(1)
    void anEmptyPlantHasNothingToCopyOrSample() {
        for (String plant : TestScope.PLANTS) {
            Http.Response created = http.put("/image-plant/" + plant + "/", "{\"camera_id\": 1, \"gps_coordinates\": [1, 2]}");
            assertEquals(404, created.status(), created::toString);
            assertEquals("{\"detail\":\"No image of plant " + plant + " to take data from: create needs at least one existing image\"}",
                    created.body());
            Http.Response random = http.get("/image-plant/" + plant + "/random/");
            assertEquals(404, random.status(), random::toString);
            assertEquals("{\"detail\":\"No image of plant " + plant + " matches the filters\"}", random.body());
            assertEquals("{\"total_images\":0}", http.get("/image-plant/" + plant + "/total").body());
            assertEquals("{\"image_list\":[],\"total_images\":0}", http.get("/image-plant/" + plant + "/?from_id=0&limit=10").body());
            assertEquals(0, db.count(plant));
        }
    }

    @Test
    @Order(2)
    void concurrentCreatesGetDistinctConsecutiveIds() throws Exception {
        LocalDateTime t0 = LocalDateTime.of(2024, 1, 1, 10, 0);
        for (String plant : TestScope.PLANTS) {
            // the highest id is soft-deleted: it still counts
            events.send(plant, LimsEvents.record(1, LimsEvents.image(1, 256), t0, null));
            Map<String, Object> deleted = LimsEvents.record(7, LimsEvents.image(7, 256), t0, t0.plusMinutes(1));
            deleted.put("is_deleted", true);
            events.send(plant, deleted);
        }
        for (String plant : TestScope.PLANTS) {
            db.awaitCount(plant, 2, Duration.ofSeconds(30));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            Map<String, List<Future<Http.Response>>> byPlant = new HashMap<>();
            for (int i = 0; i < CONCURRENT_CREATES; i++) {
                for (String plant : TestScope.PLANTS) {
                    int camera = i;
                    Callable<Http.Response> create = () -> http.put("/image-plant/" + plant + "/",
                            "{\"camera_id\": " + camera + ", \"gps_coordinates\": [45.0, 15.0]}");
                    byPlant.computeIfAbsent(plant, p -> new ArrayList<>()).add(pool.submit(create));
                }
            }
            for (String plant : TestScope.PLANTS) {
                Set<Long> ids = new TreeSet<>();
                for (Future<Http.Response> f : byPlant.get(plant)) {
                    Http.Response r = f.get();
                    assertEquals(200, r.status(), r::toString);
                    ids.add(r.json().get("id").asLong());
                }
                assertEquals(CONCURRENT_CREATES, ids.size(), plant + ": distinct ids " + ids);
                assertEquals(8L, ((TreeSet<Long>) ids).first(), plant + ": after the highest id, soft-deleted included");
                assertEquals(7L + CONCURRENT_CREATES, ((TreeSet<Long>) ids).last(), plant + ": consecutive");
                assertEquals(2 + CONCURRENT_CREATES, db.count(plant));
                assertEquals("{\"total_images\":" + (2 + CONCURRENT_CREATES) + "}", http.get("/image-plant/" + plant + "/total/").body());
                // random over more than 32 records (where the Mongo-wire server's $sample breaks): always an answer, spread out
                Set<Long> drawn = new TreeSet<>();
                for (int i = 0; i < 40; i++) {
                    Http.Response r = http.get("/image-plant/" + plant + "/random/?is_active=false");
                    assertEquals(200, r.status(), r::toString);
                    drawn.add(r.json().get("id").asLong());
                }
                assertTrue(drawn.size() > 5, plant + ": drawn " + drawn);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- fuzz: a fixed seed, so a failure replays

    static final String[] METHODS = {"GET", "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"};
    static final String[] PLANTS = {"potato", "tomato", "pepper", "cabbage", "", "POTATO", "%70otato", "..", "%2e%2e", "is-deployed",
        "total", "random", "%00", "%F0%9F%8C%B1", "potato%2Ftotal"};
    static final String[] SEGMENTS = {"1", "8", "0", "-1", "abc", "1.5", "1e3", "99999999999999999999999999", "%24gt", "total",
        "random", "%7B%22%24gt%22%3A0%7D", "null", "true", "%20", "%09", "", "x".repeat(300), "%C3%28", "1%00"};
    static final String[] PARAMS = {"from_id", "limit", "is_active", "has_disease", "is_active[$ne]", "has_disease[$exists]",
        "CamelMongoDbOperation", "CamelMongoDbCollection", "camelmongodbcriteria", "plant", "image_id", "", "%00"};
    static final String[] VALUES = {"", "0", "1", "-1", "1000", "1001", "2.5", "true", "false", "yes", "maybe", "%24ne",
        "%7B%7D", "99999999999999999999", "%FF", "remove", "is_deployed", "NaN", "+5", "%2B5", "%201%20"};
    static final String[] BODIES = {"", "{", "}", "[]", "null", "0", "\"x\"", "{}", "{\"id\": null}", "{\"id\": \"1\"}",
        "{\"id\": 1.0}", "{\"id\": {\"$gt\": \"\"}}", "{\"id\": 1, \"percentage\": 7}", "{\"id\": 1, \"percentage\": \"0.5\"}",
        "{\"id\": 1, \"gps_coordinates\": [1]}", "{\"id\": 1, \"gps_coordinates\": [\"a\", \"b\"]}",
        "{\"id\": 1, \"gps_coordinates\": [100, 0]}", "{\"id\": 1, \"is_active\": \"true\"}", "{\"id\": 1, \"disease\": []}",
        "{\"camera_id\": \"1\", \"gps_coordinates\": [1, 2]}", "{\"camera_id\": 1, \"gps_coordinates\": \"1,2\"}",
        "{\"camera_id\": 1e400, \"gps_coordinates\": [1, 2]}", "{\"camera_id\": 99999999999999999999999, \"gps_coordinates\": [1, 2]}",
        "{\"camera_id\": 1, \"gps_coordinates\": [1, 2]} trailing", "{\"a\":1,\"a\":2", "[".repeat(5000), "{\"x\":" + "[".repeat(2000),
        "\u0000\u0001", "{\"id\": 1, \"camera_id\": true}", "{\"id\": -5}", "{\"id\": 99999999999999999999}"};
    static final String[] CONTENT_TYPES = {"application/json", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz", "application/xml", null, "application/json; charset=latin1", "*/*"};

    @Test
    @Order(3)
    void malformedRequestsNeverGet5xx() {
        Random random = new Random(20240601L);
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < FUZZ_REQUESTS; i++) {
            String method = pick(random, METHODS);
            String path = path(random);
            byte[] body = null;
            String contentType = null;
            if (!method.equals("GET") || random.nextInt(10) == 0) {
                body = random.nextInt(8) == 0 ? randomBytes(random) : pick(random, BODIES).getBytes(StandardCharsets.UTF_8);
                contentType = pick(random, CONTENT_TYPES);
            }
            Http.Response r;
            try {
                r = http.sendBytes(method, path, body, contentType);
            } catch (RuntimeException e) {
                fail("request " + i + " " + method + " " + path + " failed: " + e);
                return;
            }
            statuses.merge(r.status(), 1, Integer::sum);
            String what = "request " + i + ": " + method + " " + path + " [" + contentType + "] "
                    + (body == null ? "" : new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8)) + " -> " + r;
            assertTrue(r.status() < 500, what);
            JsonNode json = r.json();
            if (r.status() >= 400) {
                assertTrue(json.has("detail"), what);
                assertTrue(r.contentType() != null && r.contentType().startsWith("application/json"), what);
            }
        }
        System.out.println("fuzz: " + FUZZ_REQUESTS + " requests, statuses " + statuses);
        assertTrue(statuses.keySet().stream().allMatch(s -> s < 500));
    }

    static String path(Random random) {
        String plant = pick(random, PLANTS);
        return switch (random.nextInt(9)) {
            case 0 -> "/image-plant/" + plant + "/" + pick(random, SEGMENTS) + query(random);
            case 1 -> "/image-plant/" + plant + "/" + query(random);
            case 2 -> "/image-plant/" + plant + query(random);
            case 3 -> "/image-plant/" + plant + "/total" + (random.nextBoolean() ? "/" : "") + query(random);
            case 4 -> "/image-plant/" + plant + "/random" + (random.nextBoolean() ? "/" : "") + query(random);
            case 5 -> "/image-plant/" + plant + "/" + pick(random, SEGMENTS) + "/" + pick(random, SEGMENTS);
            case 6 -> "/" + pick(random, SEGMENTS) + query(random);
            case 7 -> "/image-plant/is-deployed" + (random.nextBoolean() ? "/" : "") + query(random);
            default -> "/image-plant/potato/?from_id=" + pick(random, VALUES) + "&limit=" + pick(random, VALUES) + "&" + pick(random, PARAMS)
                    + "=" + pick(random, VALUES);
        };
    }

    static String query(Random random) {
        int n = random.nextInt(4);
        if (n == 0) {
            return "";
        }
        StringBuilder q = new StringBuilder("?");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                q.append('&');
            }
            q.append(pick(random, PARAMS).replace("[", "%5B").replace("]", "%5D").replace("$", "%24")).append('=').append(pick(random, VALUES));
        }
        return q.toString();
    }

    static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        return b;
    }

    static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
