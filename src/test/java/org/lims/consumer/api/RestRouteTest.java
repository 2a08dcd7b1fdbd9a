package org.lims.consumer.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.WriteModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lims.consumer.config.Bootstrap;
import org.lims.consumer.config.LimsBeans;
import org.lims.consumer.config.Plants;
import org.lims.consumer.config.Settings;
import org.lims.consumer.testinfra.LimsApp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route tier of the REST API: the route files and beans as they ship, over real HTTP (the
 * app's own server, on a free port), with MongoDB and the dead-letter topic replaced by mock
 * endpoints. It checks the error mapping and the create's retry on a taken id in about a second;
 * RestApiIT and RestRobustnessIT run the same routes on the real broker and Mongo-wire server.
 */
class RestRouteTest {

    static final String UNAVAILABLE = "{\"detail\":\"The consumer database is unavailable, try again later\"}";
    static final String CREATE = "{\"camera_id\": 3, \"gps_coordinates\": [48.5, 16.25]}";
    /** Not the shipped default, so that the give-up test proves the setting is read. */
    static final int CREATE_ATTEMPTS = 4;

    static RestRoutes writable;

    @BeforeAll
    static void start() throws Exception {
        writable = RestRoutes.start(false);
    }

    @AfterAll
    static void stop() {
        writable.close();
    }

    @BeforeEach
    void resetMocks() {
        writable.reset();
    }

    @Test
    void anUnknownPlantIs404AndNeverReachesMongoDb() {
        for (Http.Response r : List.of(writable.http.get("/image-plant/cabbage/1"), writable.http.get("/image-plant/cabbage/total/"),
                writable.http.put("/image-plant/cabbage/", CREATE), writable.http.delete("/image-plant/cabbage/1"))) {
            assertAnswer(r, 404, "{\"detail\":\"Plant 'cabbage' not found\"}");
        }
        assertEquals(0, writable.mongoCalls());
    }

    @Test
    void aBadIdIs422InFastApisShapeAndNeverReachesMongoDb() {
        String invalid = "{\"detail\":[{\"loc\":[\"path\",\"image_id\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}";
        assertAnswer(writable.http.get("/image-plant/potato/abc"), 422, invalid);
        assertAnswer(writable.http.delete("/image-plant/tomato/%7B%22$gt%22:0%7D"), 422, invalid);
        assertAnswer(writable.http.post("/image-plant/pepper/", "{\"percentage\": 2}"), 422, "{\"detail\":["
                + "{\"loc\":[\"body\",\"id\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"},"
                + "{\"loc\":[\"body\",\"percentage\"],\"msg\":\"ensure this value is less than or equal to 1\","
                + "\"type\":\"value_error.number.not_le\",\"ctx\":{\"limit_value\":1}}]}");
        assertEquals(0, writable.mongoCalls());
    }

    @Test
    void aTakenPortFailsTheStartInsteadOfRunningWithoutAnApi() {
        // the server alone: Vert.x reports a failed bind on its event loop only, so the server checks the port itself
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        context.getPropertiesComponent().addOverrideProperty("lims.http.port", String.valueOf(writable.http.port()));
        ApiBeans.register(context, new Settings(context.getPropertiesComponent()), java.time.ZoneOffset.UTC);
        try {
            Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, context::start);
            assertEquals("the REST API cannot listen on port " + writable.http.port() + " (lims.http.port, LIMS_HTTP_PORT): Address already in use",
                    failure.getMessage());
        } finally {
            context.stop();
        }
    }

    /** The request model classes are the contract the OpenAPI document shows: each of their fields is validated. */
    @Test
    void everyFieldOfTheRequestModelsIsValidated() throws Exception {
        Map<String, Class<?>> bodies = Map.of("PUT", org.lims.consumer.api.model.CreateImageJson.class,
                "POST", org.lims.consumer.api.model.UpdateImageJson.class);
        for (Map.Entry<String, Class<?>> body : bodies.entrySet()) {
            List<String> fields = new ArrayList<>();
            for (java.lang.reflect.Field field : body.getValue().getFields()) {
                fields.add(field.getName());
            }
            // an object is the wrong type for every field
            String json = "{" + String.join(", ", fields.stream().map(f -> "\"" + f + "\": {\"$gt\": 0}").toList()) + "}";
            Http.Response r = writable.http.send(body.getKey(), "/image-plant/potato/", json, "application/json");
            assertEquals(422, r.status(), r::toString);
            List<String> rejected = new ArrayList<>();
            r.json().get("detail").forEach(error -> rejected.add(error.get("loc").get(1).asText()));
            assertEquals(new java.util.TreeSet<>(fields), new java.util.TreeSet<>(rejected), body.getValue().getSimpleName() + ": " + r.body());
        }
        assertEquals(0, writable.mongoCalls());
    }

    @Test
    void readOnlyAnswers405BeforeLookingAtTheRequest() throws Exception {
        try (RestRoutes readOnly = RestRoutes.start(true)) {
            String detail = "{\"detail\":\"The API is read-only (lims.api.read-only=true): the consumer database is a replica"
                    + " of the LIMS producer database, write through the Image API\"}";
            assertAnswer(readOnly.http.put("/image-plant/potato/", CREATE), 405, detail);
            assertAnswer(readOnly.http.post("/image-plant/cabbage/", "{nope"), 405, detail);
            assertAnswer(readOnly.http.delete("/image-plant/potato/1"), 405, detail);
            assertEquals(0, readOnly.mongoCalls());
        }
    }

    @Test
    void mongoDbUnavailableIs503WithoutInternals() {
        for (String operation : List.of("findOneByQuery", "count")) {
            writable.on(operation, e -> {
                throw new MongoSocketOpenException("Exception opening socket", new ServerAddress("mongo-secret-host", 27017));
            });
        }
        for (Http.Response r : List.of(writable.http.get("/image-plant/potato/1"), writable.http.get("/image-plant/potato/total"),
                writable.http.post("/image-plant/potato/", "{\"id\": 1, \"is_active\": true}"))) {
            assertAnswer(r, 503, UNAVAILABLE);
        }
    }

    @Test
    void aRestWriteMeetingMongoDbUnavailableAnswers503AtOnceInsteadOfWaitingWithTheBatches() {
        storedImages(new AtomicInteger(7));
        writable.on("bulkWrite", e -> {
            throw new MongoSocketOpenException("Exception opening socket", new ServerAddress("mongo-secret-host", 27017));
        });
        assertAnswer(writable.http.put("/image-plant/potato/", CREATE), 503, UNAVAILABLE);
        assertEquals(1, writable.calls("bulkWrite").size(), "no retry: the client has the answer and retries itself");
    }

    @Test
    void aCreateWhoseIdIsTakenMeanwhileTakesTheNextAndIsNeverDeadLettered() throws Exception {
        // the highest id is 7; another replica inserts 8 between this create's read and its insert
        AtomicInteger highest = storedImages(new AtomicInteger(7));
        AtomicInteger bulkWrites = new AtomicInteger();
        writable.on("bulkWrite", e -> {
            if (bulkWrites.incrementAndGet() == 1) {
                throw duplicateKey();
            }
            e.getMessage().setBody(BulkWriteResult.acknowledged(1, 0, 0, 0, List.of(), List.of()));
        });
        Http.Response r = writable.http.put("/image-plant/potato/", CREATE);
        assertEquals(200, r.status(), r::toString);
        assertEquals(9, r.json().get("id").asInt(), r.body());
        assertEquals(3, r.json().get("camera_id").asInt());
        assertEquals("ffd8ff", r.json().get("data").asText(), "data copied from the newest image with data");
        assertEquals(List.of(8, 9), insertedIds(), "each attempt inserts the id after the highest stored one");
        assertEquals(9, highest.get(), "the highest id was read again before the second attempt");
        assertEquals(0, writable.deadLetters().getReceivedCounter(), "a create's taken id goes back to the create");
    }

    @Test
    void aCreateGivesUpWith409AfterTheConfiguredAttempts() throws Exception {
        storedImages(new AtomicInteger(7));
        writable.on("bulkWrite", e -> {
            throw duplicateKey();
        });
        assertAnswer(writable.http.put("/image-plant/tomato/", CREATE), 409, "{\"detail\":\"No free id for a new image of plant tomato"
                + " after " + CREATE_ATTEMPTS + " attempts: other writers took each one (lims.api.create-attempts), try again\"}");
        assertEquals(CREATE_ATTEMPTS, writable.calls("bulkWrite").size());
        assertEquals(0, writable.deadLetters().getReceivedCounter());
    }

    @Test
    void aCreateOnAnIdTheStoredVersionsShowTakenTriesTheNextWithoutWriting() throws Exception {
        // a stale highest id the first time (7, though 8 exists): bulk-write's version read finds 8, the insert is not even sent
        AtomicInteger highest = new AtomicInteger(7);
        storedImages(() -> highest.getAndSet(8), id -> id == 8);
        Http.Response r = writable.http.put("/image-plant/pepper/", CREATE);
        assertEquals(200, r.status(), r::toString);
        assertEquals(9, r.json().get("id").asInt());
        assertEquals(List.of(9), insertedIds());
    }

    // --- the fake consumer database

    /** findAll as MongoDB answers a create's reads: the newest image with data, the highest id (rising), no stored version. */
    private static AtomicInteger storedImages(AtomicInteger highest) {
        storedImages(highest::getAndIncrement, id -> false);
        return highest;
    }

    /**
     * findAll as MongoDB answers a create's reads: the newest image with data (id 7), the highest
     * id as {@code highest} says, and the stored version of the ids {@code stored} accepts.
     */
    private static void storedImages(IntSupplier highest, IntPredicate stored) {
        writable.on("findAll", e -> {
            Document query = e.getMessage().getBody(Document.class);
            Object answer;
            if (query.containsKey("data")) {
                answer = List.of(new Document("id", 7).append("data", new Binary(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff})));
            } else if (query.isEmpty()) {
                answer = List.of(new Document("id", highest.getAsInt()));
            } else {
                int wanted = ((Document) query.get("id")).getList("$in", Number.class).get(0).intValue();
                answer = stored.test(wanted) ? List.of(new Document("id", wanted)) : List.of();
            }
            e.getMessage().setBody(answer);
        });
    }

    private static MongoBulkWriteException duplicateKey() {
        return new MongoBulkWriteException(BulkWriteResult.acknowledged(0, 0, 0, 0, List.of(), List.of()),
                List.of(new BulkWriteError(11000, "E11000 duplicate key error collection: imagecolplantpotato index: id_1", new BsonDocument(), 0)),
                null, new ServerAddress("mongo-secret-host", 27017), Set.of());
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> insertedIds() {
        List<Integer> ids = new ArrayList<>();
        for (Exchange e : writable.calls("bulkWrite")) {
            for (WriteModel<Document> model : (List<WriteModel<Document>>) e.getMessage().getBody(List.class)) {
                ids.add(((Number) ((InsertOneModel<Document>) model).getDocument().get("id")).intValue());
            }
        }
        return ids;
    }

    static void assertAnswer(Http.Response r, int status, String body) {
        assertEquals(status, r.status(), r::toString);
        assertEquals(body, r.body());
        assertTrue(r.contentType() != null && r.contentType().startsWith("application/json"), () -> "content type " + r.contentType());
        for (String internal : List.of("Exception", "mongo-secret-host", "at org.", "com.mongodb")) {
            assertFalse(r.body().contains(internal), () -> internal + " in " + r.body());
        }
    }

    /**
     * The REST, sync, apply and dead-letter route files on a plain CamelContext, with the beans the
     * app binds (LimsBeans), the app's HTTP server, and every camel-mongodb endpoint a mock.
     */
    static final class RestRoutes implements AutoCloseable {

        final CamelContext context;
        final Http http;
        private final Map<String, Processor> fakes = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, List<Exchange>> calls = new java.util.concurrent.ConcurrentHashMap<>();

        private RestRoutes(CamelContext context, Http http) {
            this.context = context;
            this.http = http;
        }

        static RestRoutes start(boolean readOnly) throws Exception {
            int port = LimsApp.freePort();
            CamelContext context = new DefaultCamelContext();
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            Map.of("lims.kafka.brokers", "localhost:1", "lims.mongodb.uri", "mongodb://localhost:1",
                    "lims.http.port", String.valueOf(port), "lims.api.read-only", String.valueOf(readOnly),
                    "lims.api.create-attempts", String.valueOf(CREATE_ATTEMPTS))
                    .forEach(context.getPropertiesComponent()::addOverrideProperty);
            var registry = context.getRegistry();
            registry.bind(Bootstrap.PLANTS, Plants.from(new Settings(context.getPropertiesComponent())));
            registry.bind(Bootstrap.METRICS_REGISTRY, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            registry.bind("limsMongo", MongoClients.create("mongodb://localhost:1"));
            new LimsBeans().configure(context);
            for (String file : List.of("sync", "apply", "dead-letter", "rest", "rest-writes")) {
                PluginHelper.getRoutesLoader(context).loadRoutes(
                        ResourceHelper.resolveMandatoryResource(context, "classpath:routes/" + file + ".camel.yaml"));
            }
            AdviceWith.adviceWith(context, "prepare-database", a -> {
                a.replaceFromWith("direct:prepare-database");
                a.mockEndpointsAndSkip("mongodb:*");
            });
            AdviceWith.adviceWith(context, "append-dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dead-letter-topic"));
            context.start();
            RestRoutes routes = new RestRoutes(context, new Http(port));
            routes.reset();
            return routes;
        }

        /**
         * Every camel-mongodb call lands on one mock; this answers it as the test said for its
         * operation (the intercepted endpoint's), and by default echoes the body back.
         */
        void reset() {
            MockEndpoint.resetMocks(context);
            fakes.clear();
            calls.clear();
            MockEndpoint mongo = context.getEndpoint("mock:mongodb:limsMongo", MockEndpoint.class);
            mongo.whenAnyExchangeReceived(e -> {
                String operation = operation(e);
                calls.computeIfAbsent(operation, o -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(e.copy());
                Processor fake = fakes.get(operation);
                if (fake != null) {
                    fake.process(e);
                }
            });
        }

        void on(String operation, Processor fake) {
            fakes.put(operation, fake);
        }

        List<Exchange> calls(String operation) {
            return calls.getOrDefault(operation, List.of());
        }

        long mongoCalls() {
            return calls.values().stream().mapToLong(List::size).sum();
        }

        private static String operation(Exchange e) {
            String uri = e.getProperty(Exchange.INTERCEPTED_ENDPOINT, String.class);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("operation=(\\w+)").matcher(String.valueOf(uri));
            return m.find() ? m.group(1) : String.valueOf(uri);
        }

        MockEndpoint deadLetters() {
            return context.getEndpoint("mock:dead-letter-topic", MockEndpoint.class);
        }

        @Override
        public void close() {
            context.stop();
        }
    }
}
