package org.lims.consumer.reconcile;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.bson.Document;
import org.lims.consumer.api.ImageResponses;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.config.Settings;
import org.lims.consumer.observe.ProducerReads;
import org.lims.consumer.observe.ReconcileMetrics;
import org.lims.consumer.sync.BatchPlan;
import org.lims.consumer.sync.Operation;
import org.lims.consumer.sync.SyncRecord;
import org.lims.consumer.sync.WriteIntent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code reconciler}: the steps of the {@code reconcile-*} routes that need code. The routes
 * hold the order of things and every MongoDB call; this bean builds the pipelines and queries,
 * reads their answers into the run's {@link PlantComparison}, and turns producer records into
 * write intents for {@code seda:bulk-write}, the stale-guarded single writer the Kafka batches use.
 */
public class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger("org.lims.consumer.reconcile");

    /** Variables the reconcile routes keep their state in. */
    public static final String RUN = "reconcileRun";
    public static final String COMPARISON = "comparison";
    public static final String CONSUMER_SIDE = "consumerSide";
    public static final String QUERY = "query";

    private final Settings settings;
    private final ReconcileSettings config;
    private final ReconcileSchedule schedule;
    private final ReconcileMetrics metrics;
    private final ProducerReads reads;
    private final ImageResponses json;

    public Reconciler(Settings settings, ReconcileSettings config, ReconcileSchedule schedule, ReconcileMetrics metrics,
                      ProducerReads reads, ImageResponses json) {
        this.settings = settings;
        this.config = config;
        this.schedule = schedule;
        this.metrics = metrics;
        this.reads = reads;
        this.json = json;
    }

    public ReconcileRun startRun() {
        return new ReconcileRun();
    }

    /**
     * The plant's comparison. Its producer collection is {@code lims.producer.mongodb.collection.<plant>},
     * by default the consumer collection {@code route-plant} chose.
     */
    public PlantComparison plant(@Variable(RUN) ReconcileRun run, @Variable("plant") String plant, @Variable("collection") String collection) {
        String producerCollection = settings.get(Settings.PRODUCER_MONGODB_PREFIX + "collection." + plant).orElse(collection);
        reads.attribute(producerCollection, plant);
        PlantComparison comparison = new PlantComparison(plant, collection, producerCollection, config,
                (kind, n) -> metrics.found(plant, kind, n));
        run.add(comparison, reads.bytes(plant));
        return comparison;
    }

    public void digested(@Variable(COMPARISON) PlantComparison c, @Variable(CONSUMER_SIDE) List<Document> consumer, @Body List<Document> producer) {
        c.digested(consumer, producer);
        metrics.remaining(c.getPlant(), c.remaining());
    }

    public void compared(@Variable(COMPARISON) PlantComparison c, @Variable(CONSUMER_SIDE) List<Document> consumer, @Body List<Document> producer) {
        c.compared(consumer, producer);
        metrics.remaining(c.getPlant(), c.remaining());
        LOG.info(c.compareProgress());
    }

    public List<Document> rechecked(@Variable(COMPARISON) PlantComparison c, @Body List<Document> consumerNow) {
        return c.rechecked(consumerNow);
    }

    /** The producer's records as write intents, as if each had come from Kafka: the stale guard decides. */
    public BatchPlan repairPlan(@Variable(COMPARISON) PlantComparison c, @Body List<Document> producerRecords) {
        List<WriteIntent> intents = new ArrayList<>(producerRecords.size());
        for (Document doc : producerRecords) {
            // the consumer keeps its own _id: a replacement carrying the producer's would be rejected
            doc.remove("_id");
            Number id = (Number) doc.get(ImageRecordCodec.ID);
            Date version = ImageRecordCodec.version(doc);
            Operation operation = Boolean.TRUE.equals(doc.get(ImageRecordCodec.IS_DELETED)) ? Operation.SOFT_DELETE : Operation.UPSERT;
            intents.add(new WriteIntent(c.getCollection(), id, operation, doc, version, source(c, id, doc, operation, version)));
        }
        return BatchPlan.of(intents);
    }

    /** Extras the producer still does not hold, as hard deletes through the same writer. */
    public BatchPlan removalPlan(@Variable(COMPARISON) PlantComparison c, @Variable(QUERY) Document query, @Body List<Document> producerNow) {
        List<WriteIntent> intents = new ArrayList<>();
        for (Number id : c.stillExtra(query, producerNow)) {
            intents.add(new WriteIntent(c.getCollection(), id, Operation.HARD_DELETE, null, null, source(c, id, null, Operation.HARD_DELETE, null)));
        }
        return BatchPlan.of(intents);
    }

    /**
     * Where a repair came from, for the write path's metrics and, should MongoDB reject it, for the
     * dead-letter topic: the contract's JSON of the record, as the Image API would have published it.
     */
    private SyncRecord source(PlantComparison c, Number id, Document doc, Operation operation, Date version) {
        byte[] raw = doc == null ? null : json.image(doc).getBytes(StandardCharsets.UTF_8);
        return new SyncRecord(c.getPlant(), SyncRecord.RECONCILE_TOPIC, -1, -1, 0, String.valueOf(id), raw == null ? null : java.nio.ByteBuffer.wrap(raw),
                new ImageRecord(doc, id, version, null), operation);
    }

    public void repaired(@Variable(COMPARISON) PlantComparison c, @Body BatchPlan plan) {
        c.repaired(plan.written());
        metrics.repaired(c.getPlant(), plan.written());
    }

    public void removed(@Variable(COMPARISON) PlantComparison c, @Body BatchPlan plan) {
        c.removed(plan.written());
        metrics.repaired(c.getPlant(), plan.written());
    }

    public void repairPageDone(@Variable(COMPARISON) PlantComparison c) {
        metrics.remaining(c.getPlant(), c.remaining());
        LOG.info(c.repairProgress());
    }

    public void plantDone(@Variable(RUN) ReconcileRun run, @Variable(COMPARISON) PlantComparison c) {
        if (c.extrasKeptBecauseProducerEmpty()) {
            LOG.warn("Reconcile {}: the producer collection {} holds no record; the {} extra records are kept (check "
                    + "lims.producer.mongodb.collection.{} and lims.producer.mongodb.database)", c.getPlant(), c.getProducerCollection(),
                    c.found().get(DifferenceKind.EXTRA), c.getPlant());
        }
        metrics.remaining(c.getPlant(), 0);
        run.plantDone(c, reads.bytes(c.getPlant()));
    }

    public ReconcileRun succeeded(@Variable(RUN) ReconcileRun run) {
        run.ended(null);
        schedule.succeeded();
        metrics.succeeded(Duration.ofNanos((long) (run.seconds() * 1e9)), run.differences() > 0);
        LOG.info("Reconciliation run: {}", run.summary());
        return run;
    }

    /** One WARN line with the reason; the next attempt follows the schedule's backoff. */
    public ReconcileRun failed(@Variable(RUN) ReconcileRun run, @ExchangeProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        ReconcileRun failedRun = run != null ? run : new ReconcileRun();
        String reason = reason(cause);
        failedRun.ended(reason);
        double retryIn = schedule.failed();
        metrics.failed(Duration.ofNanos((long) (failedRun.seconds() * 1e9)));
        String plant = failedRun.plants().isEmpty() ? "" : " at " + failedRun.plants().get(failedRun.plants().size() - 1).getPlant();
        LOG.warn("Reconciliation run failed{} after {} s: {}; the Kafka sync is not affected; next attempt in {} s", plant,
                String.format(java.util.Locale.ROOT, "%.1f", failedRun.seconds()), reason, String.format(java.util.Locale.ROOT, "%.0f", retryIn));
        return failedRun;
    }

    /** The root cause's class and first line: enough to tell a timeout from a refused login, never a stack trace. */
    private static String reason(Throwable cause) {
        Throwable t = cause;
        while (t != null && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t == null) {
            return "unknown error";
        }
        String message = t.getMessage() == null ? "" : ": " + t.getMessage().lines().findFirst().orElse("");
        String line = t.getClass().getSimpleName() + message;
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
