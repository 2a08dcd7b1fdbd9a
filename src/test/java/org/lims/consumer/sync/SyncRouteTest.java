package org.lims.consumer.sync;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lims.consumer.codec.UnknownPlantException;
import org.lims.consumer.testinfra.SyncRouteFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route tier: the sync, apply and dead-letter route files as they ship, with the broker and
 * MongoDB replaced by mock endpoints, so the router's decisions (plant, operation, poison) are
 * checked in milliseconds. The integration tests run the same files on real infrastructure.
 */
class SyncRouteTest {

    // one context for the class: starting one costs seconds, the decisions under test take milliseconds
    private static CamelContext context;
    private static ProducerTemplate template;

    @BeforeEach
    void resetMocks() {
        MockEndpoint.resetMocks(context);
    }

    @BeforeAll
    static void start() throws Exception {
        // the sync-batch consumer never starts here; the producers are replaced below before they connect
        context = SyncRouteFiles.load();
        AdviceWith.adviceWith(context, "prepare-database", a -> {
            a.replaceFromWith("direct:prepare-database");
            a.weaveByToUri("mongodb:*").replace().to("mock:mongo");
            a.weaveByToUri("controlbus:*").replace().to("mock:controlbus");
            // the dead-letter topic check needs a broker: this tier has none
            a.weaveByType(org.apache.camel.model.BeanDefinition.class).selectLast().replace().to("mock:dead-letter-topic-setup");
        });
        AdviceWith.adviceWith(context, "append-dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dead-letter-topic"));
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterAll
    static void stop() {
        context.stop();
    }

    private static Exchange kafkaRecord(String topic, String key, String value) {
        Exchange exchange = new org.apache.camel.support.DefaultExchange(context);
        exchange.getMessage().setHeader(KafkaConstants.TOPIC, topic);
        exchange.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        exchange.getMessage().setHeader(KafkaConstants.OFFSET, 42L);
        exchange.getMessage().setHeader(KafkaConstants.KEY, key);
        exchange.getMessage().setBody(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    private static String record(long id, boolean deleted) {
        return "{\"id\":" + id + ",\"camera_id\":1,\"data\":\"ffd8ff\",\"gps_coordinates\":[48.4,16.5],"
                + "\"created_at\":\"2024-01-01T10:00:00.000000\",\"updated_at\":null,\"is_active\":true,"
                + "\"is_deleted\":" + deleted + ",\"disease\":null,\"percentage\":null}";
    }

    @Test
    void routePlantMapsEveryConfiguredPlantToItsCollectionAndRefusesOthers() {
        for (String plant : List.of("potato", "tomato", "pepper")) {
            Exchange out = template.send("direct:route-plant", e -> e.setVariable("plant", plant));
            assertEquals("imagecolplant" + plant, out.getVariable("collection"), plant);
        }
        Exchange unknown = template.send("direct:route-plant", e -> e.setVariable("plant", "cucumber"));
        assertInstanceOf(UnknownPlantException.class, unknown.getException());
        assertTrue(unknown.getException().getMessage().contains("'cucumber'"), unknown.getException().getMessage());
    }

    @Test
    void theOperationSelectsTheApplyRoute() {
        Map<String, Operation> expected = Map.of(record(1, false), Operation.UPSERT, record(2, true), Operation.SOFT_DELETE);
        expected.forEach((json, operation) -> {
            Exchange out = template.send("direct:sync-record", kafkaRecord("tomato", "1", json));
            WriteIntent intent = out.getMessage().getBody(WriteIntent.class);
            assertEquals(operation, intent.operation());
            assertEquals("imagecolplanttomato", intent.collection());
        });
        Exchange tombstone = template.send("direct:sync-record", kafkaRecord("pepper", "7", null));
        WriteIntent delete = tombstone.getMessage().getBody(WriteIntent.class);
        assertEquals(Operation.HARD_DELETE, delete.operation());
        assertEquals("hard-delete", tombstone.getVariable("operation"));
        assertEquals(7, delete.id().intValue());
        assertEquals("imagecolplantpepper", delete.collection());
    }

    @Test
    void poisonIsDeadLetteredWithItsReasonAndTheRouteCarriesOn() throws Exception {
        MockEndpoint dlq = context.getEndpoint("mock:dead-letter-topic", MockEndpoint.class);
        dlq.expectedMessageCount(2);
        Exchange notJson = template.send("direct:sync-record", kafkaRecord("potato", "x1", "not json"));
        Exchange badOperation = template.send("direct:sync-record", e -> {
            e.getMessage().setHeaders(kafkaRecord("potato", "x2", record(3, false)).getMessage().getHeaders());
            e.getMessage().setHeader("operation", "explode");
            e.getMessage().setBody(record(3, false).getBytes(StandardCharsets.UTF_8));
        });
        Exchange good = template.send("direct:sync-record", kafkaRecord("potato", "4", record(4, false)));
        dlq.assertIsSatisfied();
        assertEquals("not-json", dlq.getExchanges().get(0).getMessage().getHeader(DeadLetters.REASON));
        assertEquals("invalid-operation", dlq.getExchanges().get(1).getMessage().getHeader(DeadLetters.REASON));
        assertEquals("potato", dlq.getExchanges().get(0).getMessage().getHeader(DeadLetters.SOURCE_TOPIC));
        assertEquals("42", dlq.getExchanges().get(0).getMessage().getHeader(DeadLetters.SOURCE_OFFSET));
        assertEquals("not json", dlq.getExchanges().get(0).getMessage().getBody(String.class), "the original value");
        assertTrue(notJson.getVariable(DeadLetters.DEAD_LETTERED_SIZE, Long.class) > 0, "the batch counts its bytes");
        assertTrue(badOperation.getException() == null && notJson.getException() == null, "handled, not failed");
        assertInstanceOf(WriteIntent.class, good.getMessage().getBody(), "the next record is applied");
    }

    @Test
    void prepareDatabaseIndexesTheCollectionRoutePlantNames() throws Exception {
        MockEndpoint mongo = context.getEndpoint("mock:mongo", MockEndpoint.class);
        mongo.expectedMessageCount(4);
        MockEndpoint controlbus = context.getEndpoint("mock:controlbus", MockEndpoint.class);
        controlbus.expectedMessageCount(1);
        template.sendBody("direct:prepare-database", null);
        mongo.assertIsSatisfied();
        List<String> indexed = mongo.getExchanges().subList(0, 3).stream()
                .map(e -> e.getMessage().getBody(org.bson.Document.class).getString("createIndexes")).toList();
        assertEquals(List.of("imagecolplantpotato", "imagecolplanttomato", "imagecolplantpepper"), indexed);
        controlbus.assertIsSatisfied();
    }
}
