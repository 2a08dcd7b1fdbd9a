package org.lims.consumer.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lims.consumer.config.Plants;
import org.lims.consumer.config.Settings;
import org.lims.consumer.observe.SyncMetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The insert of an id the version read found absent, racing another writer that inserts the same id
 * between the version read and the bulk: the apply routes as they ship, on an in-process Mongo-wire
 * server with the unique id index; the other writer is woven in right before the bulk write. The
 * unique index refuses the insert, and the newer of the two records must stand, with nothing dead-lettered.
 */
class LostInsertRaceTest {

    private static final String DATABASE = "imagedbplantconsumer";
    private static final String COLLECTION = "imagecolplantpotato";

    private MongoServer server;
    private MongoClient client;
    private CamelContext context;
    private PrometheusMeterRegistry metrics;

    @BeforeEach
    void start() throws Exception {
        server = new MongoServer(new MemoryBackend());
        server.bind("localhost", 0);
        String uri = "mongodb://localhost:" + server.getLocalAddress().getPort();
        client = MongoClients.create(uri);
        collection().createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
        context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        context.getPropertiesComponent().addOverrideProperty("lims.mongodb.database", DATABASE);
        context.getPropertiesComponent().addOverrideProperty("lims.kafka.brokers", "localhost:1");
        var registry = context.getRegistry();
        registry.bind("limsMongo", client);
        registry.bind("bulkWrites", new BulkWrites());
        registry.bind("deadLetters", new DeadLetters());
        metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind("syncMetrics", new SyncMetrics(metrics,
                Plants.from(new Settings(context.getPropertiesComponent()))));
        registry.bind("writeIntents", new WriteIntents());
        for (String file : List.of("apply", "dead-letter")) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(context, "classpath:routes/" + file + ".camel.yaml"));
        }
        AdviceWith.adviceWith(context, "append-dead-letter", a -> a.weaveByToUri("kafka:*").replace().to("mock:dead-letter-topic"));
    }

    @AfterEach
    void stop() {
        context.stop();
        client.close();
        server.shutdownNow();
    }

    private MongoCollection<Document> collection() {
        return client.getDatabase(DATABASE).getCollection(COLLECTION);
    }

    private static Date minute(int m) {
        return Date.from(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(60L * m));
    }

    private static Document record(int id, int updatedMinute, String marker) {
        return new Document("id", id).append("created_at", minute(0)).append("updated_at", minute(updatedMinute)).append("disease", marker);
    }

    private CollectionWrites writes;

    /** Sends one upsert through bulk-write while the other writer stores {@code competitor} just before the bulk; returns what is stored. */
    private List<Document> race(Document ours, Document competitor) throws Exception {
        AdviceWith.adviceWith(context, "bulk-write", a -> a.weaveByToString(".*operation=bulkWrite.*").selectLast().before()
                .process(e -> collection().insertOne(competitor)));
        context.start();
        writes = new CollectionWrites(COLLECTION);
        // as from Kafka: a rejected record is dead-lettered as it arrived
        SyncRecord source = new SyncRecord("potato", "potato", 0, 41, 0, String.valueOf(ours.getInteger("id")),
                java.nio.ByteBuffer.wrap(ours.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)), null, Operation.UPSERT, new java.util.HashMap<>());
        writes.add(new WriteIntent(COLLECTION, ours.getInteger("id"), Operation.UPSERT, ours, ours.getDate("updated_at"), source));
        context.createProducerTemplate().sendBody("seda:bulk-write?waitForTaskToComplete=Always&timeout=0", writes);
        return collection().find().projection(new Document("_id", 0)).into(new ArrayList<>());
    }

    /** The race's outcome: one record, the newer one, and no dead letter; ours counts as written only when it was newer. */
    private void assertNewerStands(Document ours, Document competitor, String newer) throws Exception {
        List<Document> stored = race(ours, competitor);
        assertEquals(1, stored.size());
        assertEquals(newer, stored.get(0).get("disease"));
        assertEquals(newer.startsWith("ours") ? 1 : 0, writes.applied(), "documents written by our side");
        assertEquals(writes.applied(), metrics.find("lims.consumer.images.applied").tag("plant", "potato").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum(), "images_applied_total counts what was written");
        assertEquals(0, writes.rejectedCount());
        context.getEndpoint("mock:dead-letter-topic", MockEndpoint.class).expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void ourNewerRecordReplacesTheOtherWritersOlderOne() throws Exception {
        assertNewerStands(record(7, 9, "ours, newer"), record(7, 5, "theirs, older"), "ours, newer");
    }

    @Test
    void theSameRecordFromBothWritersIsStoredOnce() throws Exception {
        assertNewerStands(record(7, 5, "theirs, same version"), record(7, 5, "theirs, same version"), "theirs, same version");
    }

    /** A duplicate on another unique index is no lost race: the id stays absent, and the record is dead-lettered, not dropped. */
    @Test
    void aDuplicateOnAnotherUniqueIndexIsDeadLettered() throws Exception {
        collection().createIndex(Indexes.ascending("disease"), new IndexOptions().unique(true));
        MockEndpoint dlq = context.getEndpoint("mock:dead-letter-topic", MockEndpoint.class);
        dlq.expectedMessageCount(1);
        List<Document> stored = race(record(9, 5, "blight"), record(8, 5, "blight"));
        assertEquals(List.of(8), stored.stream().map(d -> d.get("id")).toList(), "only the other writer's record");
        MockEndpoint.assertIsSatisfied(context);
        assertEquals("mongo-rejected-11000", dlq.getExchanges().get(0).getMessage().getHeader(DeadLetters.REASON));
        assertEquals(0, writes.applied());
        assertEquals(1, writes.rejectedCount());
    }

    @Test
    void theOtherWritersNewerRecordStands() throws Exception {
        assertNewerStands(record(7, 5, "ours, older"), record(7, 9, "theirs, newer"), "theirs, newer");
    }
}
