package org.lims.consumer.api;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lims.consumer.codec.Hex;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST API over a real socket, on the real app with a real broker and Mongo-wire server:
 * every handler for every plant (with and without the trailing slash), exact bodies, every error
 * case, and REST writes going through the Kafka write path (stale guard included).
 */
@ExtendWith(LimsInfrastructure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestApiIT {

    static final LocalDateTime T0 = LocalDateTime.of(2023, 10, 9, 18, 43, 37, 500_000_000);
    /** The contract's image record keys, in its order. */
    static final List<String> RECORD_KEYS = List.of("id", "camera_id", "data", "gps_coordinates", "created_at", "updated_at",
            "is_active", "is_deleted", "disease", "percentage");
    static final Map<String, String> DISEASE = Map.of("potato", "Late Blight", "tomato", "Leaf Mold", "pepper", "Bacterial Spot");

    static TestScope scope;
    static LimsApp app;
    static LimsEvents events;
    static ConsumerDb db;
    static Http http;
    /** what was sent per plant and id (ids 1..5; 5 is soft-deleted) */
    static final Map<String, Map<Long, Map<String, Object>>> SEEDED = new HashMap<>();

    @BeforeAll
    static void start() {
        scope = TestScope.create("restapi");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.api.read-only", "false"); // LimsApp starts the prod profile, where the API is read-only
        app = LimsApp.start(props);
        events = new LimsEvents(scope);
        db = new ConsumerDb(scope);
        http = new Http(app.httpPort());
        for (String plant : TestScope.PLANTS) {
            Map<Long, Map<String, Object>> records = new LinkedHashMap<>();
            for (long id = 1; id <= 5; id++) {
                Map<String, Object> r = LimsEvents.record(id, LimsEvents.image(id * 31 + plant.length(), 64), T0.plusMinutes(id), null);
                r.put("camera_id", (int) id);
                r.put("is_active", id % 2 == 1);
                if (id == 1 || id == 4) {
                    r.put("disease", DISEASE.get(plant));
                    r.put("percentage", 0.25 * id);
                    r.put("updated_at", T0.plusHours(id).format(LimsEvents.LIMS_TIME));
                }
                if (id == 5) {
                    r.put("is_deleted", true);
                }
                records.put(id, r);
                events.send(plant, r);
            }
            SEEDED.put(plant, records);
        }
        for (String plant : TestScope.PLANTS) {
            db.awaitCount(plant, 5, Duration.ofSeconds(60));
        }
    }

    @AfterAll
    static void stop() {
        events.close();
        app.close();
        db.close();
    }

    static String json(Object value) {
        try {
            return Http.JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The contract's image record for a seeded event: same keys, same order, same values. */
    static Map<String, Object> expected(Map<String, Object> sent) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String key : RECORD_KEYS) {
            r.put(key, sent.get(key));
        }
        return r;
    }

    static void assertResponse(Http.Response r, int status, String body) {
        assertEquals(status, r.status(), () -> "status of " + r);
        assertEquals(body, r.body());
        assertTrue(r.contentType() != null && r.contentType().startsWith("application/json"), () -> "content type " + r.contentType());
    }

    static String notFound(Object id) {
        return "{\"detail\":\"Image with id " + id + " not found\"}";
    }

    static String invalid(String... errors) {
        return "{\"detail\":[" + String.join(",", errors) + "]}";
    }

    static String error(String loc, String msg, String type) {
        return "{\"loc\":" + loc + ",\"msg\":\"" + msg + "\",\"type\":\"" + type + "\"}";
    }

    static String rangeError(String loc, String msg, String type, int limit) {
        return "{\"loc\":" + loc + ",\"msg\":\"" + msg + "\",\"type\":\"" + type + "\",\"ctx\":{\"limit_value\":" + limit + "}}";
    }

    // --- reads

    @ParameterizedTest
    @ValueSource(strings = {"/ping", "/ping/"})
    void ping(String path) {
        assertResponse(http.get(path), 200, "\"Hello, I am alive\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/image-plant/is-deployed/", "/image-plant/is-deployed"})
    void isDeployed(String path) {
        assertResponse(http.get(path), 200, "{\"is_deployed\":true}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void getImageByIdWithAndWithoutSlash(String plant) {
        for (long id : new long[] {1, 2, 5}) {
            String body = json(expected(SEEDED.get(plant).get(id)));
            assertResponse(http.get("/image-plant/" + plant + "/" + id), 200, body);
            assertResponse(http.get("/image-plant/" + plant + "/" + id + "/"), 200, body);
        }
        JsonNode one = http.get("/image-plant/" + plant + "/1").json();
        assertEquals(RECORD_KEYS, fieldNames(one), "the contract's keys, in its order, no _id");
        assertTrue(one.get("data").asText().startsWith("ffd8ff"), "data is lowercase hex");
        assertEquals("2023-10-09T18:44:37.500000", one.get("created_at").asText());
        assertEquals("2023-10-09T19:43:37.500000", one.get("updated_at").asText());
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void totalCountsSoftDeletedToo(String plant) {
        long total = db.count(plant);
        assertTrue(total >= 5);
        assertResponse(http.get("/image-plant/" + plant + "/total/"), 200, "{\"total_images\":" + total + "}");
        assertResponse(http.get("/image-plant/" + plant + "/total"), 200, "{\"total_images\":" + total + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void listPagesByIdWithFilters(String plant) {
        Map<Long, Map<String, Object>> seeded = SEEDED.get(plant);
        String page = "{\"image_list\":[" + json(expected(seeded.get(2L))) + "," + json(expected(seeded.get(3L)))
                + "],\"total_images\":" + db.count(plant) + "}";
        assertResponse(http.get("/image-plant/" + plant + "/?from_id=2&limit=2"), 200, page);
        assertResponse(http.get("/image-plant/" + plant + "?from_id=2&limit=2"), 200, page);

        // is_active: odd ids; has_disease: ids 1 and 4; total_images counts what the filters match
        String active = "{\"image_list\":[" + json(expected(seeded.get(3L))) + "," + json(expected(seeded.get(5L)))
                + "],\"total_images\":3}";
        assertResponse(http.get("/image-plant/" + plant + "/?from_id=2&limit=10&is_active=true"), 200, active);
        String diseased = "{\"image_list\":[" + json(expected(seeded.get(1L))) + "," + json(expected(seeded.get(4L)))
                + "],\"total_images\":2}";
        assertResponse(http.get("/image-plant/" + plant + "/?from_id=0&limit=1000&has_disease=true"), 200, diseased);
        String both = "{\"image_list\":[" + json(expected(seeded.get(4L))) + "],\"total_images\":1}";
        assertResponse(http.get("/image-plant/" + plant + "/?from_id=0&limit=5&is_active=false&has_disease=1"), 200, both);
        assertResponse(http.get("/image-plant/" + plant + "/?from_id=999&limit=5&has_disease=yes"), 200,
                "{\"image_list\":[],\"total_images\":2}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void randomMatchesTheFilters(String plant) {
        Map<Long, Map<String, Object>> seeded = SEEDED.get(plant);
        for (int i = 0; i < 10; i++) {
            JsonNode any = http.get("/image-plant/" + plant + "/random/").json();
            assertEquals(10, any.size());
            JsonNode active = http.get("/image-plant/" + plant + "/random?is_active=true").json();
            assertTrue(active.get("is_active").asBoolean(), active::toString);
            Http.Response diseasedInactive = http.get("/image-plant/" + plant + "/random/?is_active=false&has_disease=true");
            // only id 4 is inactive and classified
            assertResponse(diseasedInactive, 200, json(expected(seeded.get(4L))));
        }
        Http.Response none = http.get("/image-plant/" + plant + "/random/?is_active=true&has_disease=true&is_active=false");
        // the last value of a repeated parameter wins (as in Starlette): inactive and classified is id 4
        assertResponse(none, 200, json(expected(seeded.get(4L))));
    }

    // --- errors

    static List<Arguments> errorCases() {
        String idLoc = "[\"path\",\"image_id\"]";
        return List.of(
                Arguments.of("GET", "/image-plant/potato/999", 404, notFound(999)),
                Arguments.of("GET", "/image-plant/potato/999/", 404, notFound(999)),
                Arguments.of("GET", "/image-plant/potato/0", 404, notFound(0)),
                Arguments.of("GET", "/image-plant/potato/-3", 404, notFound(-3)),
                Arguments.of("GET", "/image-plant/potato/99999999999999999999999", 404, notFound("99999999999999999999999")),
                Arguments.of("GET", "/image-plant/cabbage/1", 404, "{\"detail\":\"Plant 'cabbage' not found\"}"),
                Arguments.of("GET", "/image-plant/cabbage/total/", 404, "{\"detail\":\"Plant 'cabbage' not found\"}"),
                Arguments.of("GET", "/image-plant/cabbage/?from_id=1&limit=1", 404, "{\"detail\":\"Plant 'cabbage' not found\"}"),
                Arguments.of("DELETE", "/image-plant/cabbage/1", 404, "{\"detail\":\"Plant 'cabbage' not found\"}"),
                Arguments.of("GET", "/nothing/here", 404, "{\"detail\":\"Not Found\"}"),
                Arguments.of("GET", "/image-plant/potato/1/extra", 404, "{\"detail\":\"Not Found\"}"),
                Arguments.of("GET", "/", 404, "{\"detail\":\"Not Found\"}"),
                Arguments.of("PATCH", "/image-plant/potato/", 405, "{\"detail\":\"Method Not Allowed\"}"),
                Arguments.of("GET", "/image-plant/potato/abc", 422, invalid(error(idLoc, "value is not a valid integer", "type_error.integer"))),
                Arguments.of("GET", "/image-plant/potato/1.5", 422, invalid(error(idLoc, "value is not a valid integer", "type_error.integer"))),
                Arguments.of("DELETE", "/image-plant/potato/%7B%22$gt%22:0%7D", 422, invalid(error(idLoc, "value is not a valid integer", "type_error.integer"))),
                Arguments.of("GET", "/image-plant/potato/", 422, invalid(
                        error("[\"query\",\"from_id\"]", "field required", "value_error.missing"),
                        error("[\"query\",\"limit\"]", "field required", "value_error.missing"))),
                Arguments.of("GET", "/image-plant/potato/?from_id=1", 422, invalid(
                        error("[\"query\",\"limit\"]", "field required", "value_error.missing"))),
                Arguments.of("GET", "/image-plant/potato/?from_id=-1&limit=0", 422, invalid(
                        rangeError("[\"query\",\"from_id\"]", "ensure this value is greater than or equal to 0", "value_error.number.not_ge", 0),
                        rangeError("[\"query\",\"limit\"]", "ensure this value is greater than or equal to 1", "value_error.number.not_ge", 1))),
                Arguments.of("GET", "/image-plant/potato?from_id=0&limit=1001", 422, invalid(
                        rangeError("[\"query\",\"limit\"]", "ensure this value is less than or equal to 1000", "value_error.number.not_le", 1000))),
                Arguments.of("GET", "/image-plant/potato/?from_id=x&limit=%24gt", 422, invalid(
                        error("[\"query\",\"from_id\"]", "value is not a valid integer", "type_error.integer"),
                        error("[\"query\",\"limit\"]", "value is not a valid integer", "type_error.integer"))),
                Arguments.of("GET", "/image-plant/potato/?from_id=1&limit=1&is_active=maybe&has_disease=%7B%7D", 422, invalid(
                        error("[\"query\",\"is_active\"]", "value could not be parsed to a boolean", "type_error.bool"),
                        error("[\"query\",\"has_disease\"]", "value could not be parsed to a boolean", "type_error.bool"))),
                Arguments.of("GET", "/image-plant/potato/random/?is_active=%24ne", 422, invalid(
                        error("[\"query\",\"is_active\"]", "value could not be parsed to a boolean", "type_error.bool"))));
    }

    @ParameterizedTest
    @MethodSource("errorCases")
    void errorsHaveTheImageApiShape(String method, String path, int status, String body) {
        assertResponse(http.send(method, path, null, null), status, body);
    }

    @Test
    void operatorsInQueryParametersNeverReachMongoDb() {
        String plain = http.get("/image-plant/potato/?from_id=0&limit=100").body();
        // unknown parameters are ignored, as FastAPI ignores them: no filter, no operator
        assertResponse(http.get("/image-plant/potato/?from_id=0&limit=100&is_active[$ne]=x&has_disease[$exists]=1"), 200, plain);
        // a parameter named like a Camel/MongoDB header does not become one
        assertResponse(http.get("/image-plant/potato/?from_id=0&limit=100&CamelMongoDbCollection=is_deployed"
                + "&CamelMongoDbOperation=remove&camelmongodbcriteria=%7B%7D"), 200, plain);
        assertResponse(http.get("/image-plant/potato/total?CamelMongoDbCollection=is_deployed"), 200,
                "{\"total_images\":" + db.count("potato") + "}");
        assertEquals(plain, http.get("/image-plant/potato/?from_id=0&limit=100").body(), "nothing was removed");
        // path parameters come from the path, not from a query parameter of the same name
        assertResponse(http.get("/image-plant/potato/1?plant=tomato&image_id=2"), 200, json(expected(SEEDED.get("potato").get(1L))));
    }

    static List<Arguments> badBodies() {
        String body = "[\"body\"]";
        return List.of(
                Arguments.of("", invalid(error(body, "field required", "value_error.missing"))),
                Arguments.of("[1, 2]", invalid(error(body, "value is not a valid dict", "type_error.dict"))),
                Arguments.of("\"text\"", invalid(error(body, "value is not a valid dict", "type_error.dict"))),
                Arguments.of("{}", invalid(error("[\"body\",\"camera_id\"]", "field required", "value_error.missing"),
                        error("[\"body\",\"gps_coordinates\"]", "field required", "value_error.missing"))),
                Arguments.of("{\"camera_id\": {\"$gt\": \"\"}, \"gps_coordinates\": {\"$ne\": null}}", invalid(
                        error("[\"body\",\"camera_id\"]", "value is not a valid integer", "type_error.integer"),
                        error("[\"body\",\"gps_coordinates\"]", "value is not a valid list", "type_error.list"))),
                Arguments.of("{\"camera_id\": \"1\", \"gps_coordinates\": [\"48\", true]}", invalid(
                        error("[\"body\",\"camera_id\"]", "value is not a valid integer", "type_error.integer"),
                        error("[\"body\",\"gps_coordinates\",0]", "value is not a valid float", "type_error.float"),
                        error("[\"body\",\"gps_coordinates\",1]", "value is not a valid float", "type_error.float"))),
                Arguments.of("{\"camera_id\": 1.5, \"gps_coordinates\": [91, -180.5]}", invalid(
                        error("[\"body\",\"camera_id\"]", "value is not a valid integer", "type_error.integer"),
                        rangeError("[\"body\",\"gps_coordinates\",0]", "ensure this value is less than or equal to 90", "value_error.number.not_le", 90),
                        rangeError("[\"body\",\"gps_coordinates\",1]", "ensure this value is greater than or equal to -180", "value_error.number.not_ge", -180))),
                Arguments.of("{\"camera_id\": null, \"gps_coordinates\": [1, 2, 3]}", invalid(
                        error("[\"body\",\"camera_id\"]", "none is not an allowed value", "type_error.none.not_allowed"),
                        rangeError("[\"body\",\"gps_coordinates\"]", "ensure this value has at most 2 items", "value_error.list.max_items", 2))));
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void createRejectsBadBodies(String body, String expected) {
        long before = db.count("pepper");
        assertResponse(http.put("/image-plant/pepper/", body), 422, expected);
        assertEquals(before, db.count("pepper"));
    }

    @Test
    void updateRejectsBadBodies() {
        assertResponse(http.post("/image-plant/tomato/", "{\"id\": 1, \"percentage\": 1.5, \"is_active\": \"yes\", \"disease\": 3}"), 422,
                invalid(error("[\"body\",\"disease\"]", "str type expected", "type_error.str"),
                        rangeError("[\"body\",\"percentage\"]", "ensure this value is less than or equal to 1", "value_error.number.not_le", 1),
                        error("[\"body\",\"is_active\"]", "value could not be parsed to a boolean", "type_error.bool")));
        assertResponse(http.post("/image-plant/tomato/", "{\"percentage\": -0.1}"), 422,
                invalid(error("[\"body\",\"id\"]", "field required", "value_error.missing"),
                        rangeError("[\"body\",\"percentage\"]", "ensure this value is greater than or equal to 0", "value_error.number.not_ge", 0)));
        Http.Response notJson = http.post("/image-plant/tomato/", "{\"id\": 1,");
        assertEquals(422, notJson.status(), notJson::toString);
        JsonNode detail = notJson.json().get("detail").get(0);
        assertEquals("value_error.jsondecode", detail.get("type").asText());
        assertEquals("body", detail.get("loc").get(0).asText());
        assertResponse(http.sendBytes("POST", "/image-plant/tomato/", new byte[] {'{', (byte) 0xC3, '}'}, "application/json"),
                422, http.sendBytes("POST", "/image-plant/tomato/", new byte[] {'{', (byte) 0xC3, '}'}, "application/json").body());
        assertResponse(http.post("/image-plant/tomato/", "{\"id\": 4242}"), 404, notFound(4242));
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String big = "{\"camera_id\": 1, \"gps_coordinates\": [1, 2], \"pad\": \"" + "x".repeat(1_100_000) + "\"}";
        assertResponse(http.put("/image-plant/potato/", big), 413,
                "{\"detail\":\"Request body larger than 1048576 bytes (lims.api.max-body-bytes)\"}");
        assertResponse(http.post("/image-plant/potato/", big), 413,
                "{\"detail\":\"Request body larger than 1048576 bytes (lims.api.max-body-bytes)\"}");
    }

    // --- writes: after the reads (unordered tests run at Order.DEFAULT), so the fixtures above stay as seeded

    @Order(Order.DEFAULT + 1)
    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void createTakesTheNextIdAndCopiesData(String plant) {
        long maxBefore = db.all(plant).stream().mapToLong(d -> ((Number) d.get("id")).longValue()).max().orElseThrow();
        for (String path : List.of("/image-plant/" + plant + "/", "/image-plant/" + plant)) {
            Http.Response r = http.put(path, "{\"camera_id\": 7, \"gps_coordinates\": [48.5, -16.25], \"ignored\": {\"$set\": 1}}");
            assertEquals(200, r.status(), r::toString);
            JsonNode created = r.json();
            long id = ++maxBefore;
            assertEquals(id, created.get("id").asLong(), "highest id (soft-deleted included) + 1");
            assertEquals(7, created.get("camera_id").asInt());
            assertEquals("[48.5,-16.25]", created.get("gps_coordinates").toString());
            assertEquals(created.get("created_at"), created.get("updated_at"));
            assertTrue(created.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"));
            assertEquals(false, created.get("is_active").asBoolean(true));
            assertEquals(false, created.get("is_deleted").asBoolean(true));
            assertTrue(created.get("disease").isNull());
            assertTrue(created.get("percentage").isNull());
            assertTrue(created.get("data").asText().startsWith("ffd8ff"), "data copied from an existing image");
            // what GET answers and what the database holds: native BSON, like a synced record
            assertResponse(http.get("/image-plant/" + plant + "/" + id), 200, r.body());
            Document stored = db.find(plant, id);
            assertInstanceOf(Binary.class, stored.get("data"));
            assertArrayEquals(Hex.decode(created.get("data").asText()), ((Binary) stored.get("data")).getData());
            assertInstanceOf(Date.class, stored.get("created_at"));
            assertEquals(List.of(48.5, -16.25), stored.get("gps_coordinates"));
            assertTrue(Math.abs(stored.getDate("created_at").getTime() - System.currentTimeMillis()) < 60_000, "now, in UTC");
        }
    }

    @Order(Order.DEFAULT + 2)
    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void updateChangesOnlyWhatIsGiven(String plant) {
        Map<String, Object> before = expected(SEEDED.get(plant).get(3L));
        Http.Response r = http.post("/image-plant/" + plant + "/",
                "{\"id\": 3, \"camera_id\": null, \"gps_coordinates\": [10, 20.5], \"disease\": \"Healthy\", \"percentage\": 0.995, \"is_active\": false}");
        assertEquals(200, r.status(), r::toString);
        JsonNode updated = r.json();
        assertEquals(before.get("camera_id"), updated.get("camera_id").asInt(), "null means unchanged");
        assertEquals(before.get("data"), updated.get("data").asText());
        assertEquals(before.get("created_at"), updated.get("created_at").asText());
        assertEquals("[10.0,20.5]", updated.get("gps_coordinates").toString());
        assertEquals("Healthy", updated.get("disease").asText());
        assertEquals(0.995, updated.get("percentage").asDouble());
        assertEquals(false, updated.get("is_active").asBoolean(true));
        assertEquals(false, updated.get("is_deleted").asBoolean(true));
        assertTrue(updated.get("updated_at").asText().compareTo("2025") > 0, "updated_at is now");
        assertResponse(http.get("/image-plant/" + plant + "/3/"), 200, r.body());
        // no slash
        Http.Response again = http.post("/image-plant/" + plant, "{\"id\": 3, \"is_active\": true}");
        assertEquals(200, again.status(), again::toString);
        assertTrue(again.json().get("is_active").asBoolean());
        assertEquals("Healthy", again.json().get("disease").asText());
        assertTrue(again.json().get("updated_at").asText().compareTo(updated.get("updated_at").asText()) > 0,
                "every write is newer than the one it builds on");
    }

    @Order(Order.DEFAULT + 3)
    @ParameterizedTest
    @ValueSource(strings = {"potato", "tomato", "pepper"})
    void deleteIsSoft(String plant) {
        long total = db.count(plant);
        assertResponse(http.delete("/image-plant/" + plant + "/2"), 200, "{\"message\":\"Image deleted successfully\"}");
        JsonNode deleted = http.get("/image-plant/" + plant + "/2").json();
        assertTrue(deleted.get("is_deleted").asBoolean());
        assertTrue(deleted.get("updated_at").asText().compareTo("2025") > 0);
        assertResponse(http.get("/image-plant/" + plant + "/total"), 200, "{\"total_images\":" + total + "}");
        assertResponse(http.delete("/image-plant/" + plant + "/2/"), 200, "{\"message\":\"Image deleted successfully\"}");
        assertResponse(http.delete("/image-plant/" + plant + "/777"), 404, notFound(777));
    }

    /** A REST update takes the Kafka write path: an older Kafka event loses to it, a newer one wins, like any synced record. */
    @Order(Order.DEFAULT + 4)
    @Test
    void restWritesShareTheStaleGuardWithKafka() {
        String plant = "pepper";
        Http.Response r = http.post("/image-plant/pepper/", "{\"id\": 4, \"disease\": \"Healthy\", \"percentage\": 1}");
        assertEquals(200, r.status(), r::toString);
        String restVersion = r.json().get("updated_at").asText();

        Map<String, Object> stale = LimsEvents.copy(SEEDED.get(plant).get(4L));
        stale.put("updated_at", T0.plusDays(1).format(LimsEvents.LIMS_TIME));
        stale.put("disease", "Bacterial Spot");
        events.send(plant, stale);
        KafkaLag.awaitZero(scope, Duration.ofSeconds(30));
        assertResponse(http.get("/image-plant/pepper/4"), 200, r.body());

        Map<String, Object> newer = LimsEvents.copy(SEEDED.get(plant).get(4L));
        LocalDateTime future = LocalDateTime.parse(restVersion).plusMinutes(1);
        newer.put("updated_at", future.format(LimsEvents.LIMS_TIME));
        newer.put("disease", "Bacterial Spot");
        events.send(plant, newer);
        db.awaitRecord(plant, 4, d -> "Bacterial Spot".equals(d.get("disease")));
        assertResponse(http.get("/image-plant/pepper/4"), 200, json(expected(newer)));
        assertEquals(Date.from(future.toInstant(ZoneOffset.UTC)), db.find(plant, 4).getDate("updated_at"));
    }
}
