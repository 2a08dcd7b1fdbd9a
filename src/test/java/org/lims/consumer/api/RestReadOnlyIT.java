package org.lims.consumer.api;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prod profile as it ships (lims.api.read-only=true): writes answer 405, reads work; and the
 * OpenAPI document and Swagger UI the Image API also serves.
 */
@ExtendWith(LimsInfrastructure.class)
class RestReadOnlyIT {

    static final String READ_ONLY = "{\"detail\":\"The API is read-only (lims.api.read-only=true): the consumer database is a "
            + "replica of the LIMS producer database, write through the Image API\"}";

    static TestScope scope;
    static LimsApp app;
    static ConsumerDb db;
    static Http http;

    @BeforeAll
    static void start() {
        scope = TestScope.create("restro");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        app = LimsApp.start(scope.appProperties()); // prod profile defaults, no override
        db = new ConsumerDb(scope);
        http = new Http(app.httpPort());
        try (LimsEvents events = new LimsEvents(scope)) {
            events.send("tomato", LimsEvents.record(1, LimsEvents.image(1, 32), LocalDateTime.of(2024, 5, 1, 12, 0), null));
        }
        db.awaitRecord("tomato", 1, d -> true);
    }

    @AfterAll
    static void stop() {
        app.close();
        db.close();
    }

    @Test
    void writesAnswer405AndChangeNothing() {
        String before = http.get("/image-plant/tomato/1").body();
        for (String plant : TestScope.PLANTS) {
            for (String slash : List.of("/", "")) {
                assertResponse(http.put("/image-plant/" + plant + slash, "{\"camera_id\": 1, \"gps_coordinates\": [1, 2]}"), 405, READ_ONLY);
                assertResponse(http.post("/image-plant/" + plant + slash, "{\"id\": 1, \"is_active\": true}"), 405, READ_ONLY);
                assertResponse(http.delete("/image-plant/" + plant + "/1" + slash), 405, READ_ONLY);
                // even a bad body: the API says it is read-only before it judges the body
                assertResponse(http.put("/image-plant/" + plant + slash, "{nope"), 405, READ_ONLY);
            }
        }
        assertEquals(before, http.get("/image-plant/tomato/1").body());
        assertEquals(1, db.count("tomato"));
        assertEquals(0, db.count("potato"));
    }

    @Test
    void readsWork() {
        assertEquals(200, http.get("/image-plant/tomato/1").status());
        assertResponse(http.get("/image-plant/tomato/total/"), 200, "{\"total_images\":1}");
        assertResponse(http.get("/ping"), 200, "\"Hello, I am alive\"");
    }

    /** Rendered per request (not at start-up): behind an Ingress the document names the public address. */
    @Test
    void openApiNamesTheAddressTheClientUsed() {
        Http.Response r = http.get("/openapi.json", Map.of("X-Forwarded-Host", "lims.example.org", "X-Forwarded-Proto", "https"));
        assertEquals(200, r.status(), r::toString);
        String servers = r.json().path("servers").toString();
        assertTrue(servers.contains("https://lims.example.org"), servers);
        // one client's forwarded address never reaches another's document
        String direct = http.get("/openapi.json").json().path("servers").toString();
        assertFalse(direct.contains("lims.example.org"), direct);
    }

    @Test
    void openApiDescribesEveryHandler() {
        Http.Response r = http.get("/openapi.json");
        assertEquals(200, r.status(), r::toString);
        JsonNode doc = r.json();
        assertTrue(doc.get("openapi").asText().startsWith("3."), doc.get("openapi")::toString);
        JsonNode paths = doc.get("paths");
        assertOperations(paths, "/ping", "get");
        assertOperations(paths, "/image-plant/is-deployed/", "get");
        assertOperations(paths, "/image-plant/{plant}/total/", "get");
        assertOperations(paths, "/image-plant/{plant}/random/", "get");
        assertOperations(paths, "/image-plant/{plant}/", "get", "put", "post");
        assertOperations(paths, "/image-plant/{plant}/{image_id}", "get", "delete");
        JsonNode list = paths.get("/image-plant/{plant}/").get("get");
        List<String> params = new java.util.ArrayList<>();
        list.get("parameters").forEach(p -> params.add(p.get("name").asText() + ":" + p.get("in").asText()));
        assertEquals(List.of("plant:path", "from_id:query", "limit:query", "is_active:query", "has_disease:query"), params);
        assertTrue(paths.get("/image-plant/{plant}/").get("put").has("requestBody"));
        assertTrue(paths.get("/image-plant/{plant}/{image_id}").get("get").get("responses").has("422"));
        JsonNode schemas = doc.get("components").get("schemas");
        JsonNode record = schemas.get("ImageRecordJson").get("properties");
        for (String field : RestApiIT.RECORD_KEYS) {
            assertTrue(record.has(field), "ImageRecordJson." + field);
        }
        assertTrue(schemas.has("ValidationErrorJson") && schemas.has("ErrorJson") && schemas.has("UpdateImageJson")
                && schemas.has("CreateImageJson") && schemas.has("ImagePageJson"), schemas.fieldNames()::toString);
    }

    @Test
    void swaggerUiIsServedAtDocs() {
        for (String path : List.of("/docs", "/docs/")) {
            Http.Response page = http.get(path);
            assertEquals(200, page.status());
            assertTrue(page.contentType().startsWith("text/html"));
            assertTrue(page.body().contains("/openapi.json") && page.body().contains("/docs/swagger-ui-bundle.js"), page.body());
        }
        Http.Response bundle = http.get("/docs/swagger-ui-bundle.js");
        assertEquals(200, bundle.status());
        assertTrue(bundle.body().length() > 100_000);
        assertEquals(200, http.get("/docs/swagger-ui.css").status());
        assertResponse(http.get("/docs/../pom.xml"), 404, "{\"detail\":\"Not Found\"}");
        assertResponse(http.get("/docs/index.html"), 404, "{\"detail\":\"Not Found\"}");
    }

    static void assertOperations(JsonNode paths, String path, String... methods) {
        assertTrue(paths.has(path), () -> path + " in " + paths.fieldNames());
        for (String method : methods) {
            assertTrue(paths.get(path).has(method), path + " " + method);
        }
    }

    static void assertResponse(Http.Response r, int status, String body) {
        assertEquals(status, r.status(), r::toString);
        assertEquals(body, r.body());
        assertTrue(r.contentType().startsWith("application/json"));
    }
}
