package org.lims.consumer.dev.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;

/**
 * The batch approach LIMS runs today (the DB synchronizer job): once at deployment, then every
 * 600 s, copy producer records into the consumer database. {@link Mode#FULL} copies every record;
 * {@link Mode#INCREMENTAL} copies the records whose {@code updated_at} (or {@code created_at})
 * is newer than the previous run's snapshot. Images and bytes are counted as
 * {@code db_synchronizer_job_image} and {@code db_synchronizer_job_image_size} count them: one
 * image per record copied, its size being the record's BSON size (image plus metadata).
 */
public final class BatchSynchronizer {

    public static final long INTERVAL_MS = 600_000;

    public enum Mode { FULL, INCREMENTAL }

    /** One run: when (simulated), what it copied, how long the copy took (wall). */
    public record Run(long simMs, Instant snapshot, long images, long bytes, long wallNanos) {
    }

    /** plant -> its collection in the consumer database */
    private final Map<String, String> collections;
    private final MongoDatabase producer;
    private final MongoDatabase consumer;
    private final Mode mode;
    private final int bulkSize;
    private Instant previousSnapshot;
    private long images;
    private long bytes;
    private final List<Run> runs = new ArrayList<>();

    /** @param collections the plants, each with its collection in the consumer database */
    public BatchSynchronizer(MongoClient mongo, Map<String, String> collections, String producerDb, String consumerDb, Mode mode) {
        this.collections = new LinkedHashMap<>(collections);
        this.producer = mongo.getDatabase(producerDb);
        this.consumer = mongo.getDatabase(consumerDb);
        this.mode = mode;
        this.bulkSize = 200;
        for (String collection : this.collections.values()) {
            consumer.getCollection(collection).createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
        }
    }

    /**
     * Copies the producer database as it is now. {@code snapshot} is the newest timestamp the
     * producer has issued: the next incremental run copies what is newer.
     */
    public Run run(long simMs, Instant snapshot) {
        long start = System.nanoTime();
        long runImages = 0;
        long runBytes = 0;
        Bson filter = mode == Mode.FULL || previousSnapshot == null ? new Document()
                : Filters.or(Filters.gt("updated_at", Date.from(previousSnapshot)), Filters.gt("created_at", Date.from(previousSnapshot)));
        for (var plant : collections.entrySet()) {
            MongoCollection<RawBsonDocument> source = producer.getCollection(ImageApi.collectionName(plant.getKey()), RawBsonDocument.class);
            MongoCollection<RawBsonDocument> target = consumer.getCollection(plant.getValue(), RawBsonDocument.class);
            List<WriteModel<RawBsonDocument>> bulk = new ArrayList<>(bulkSize);
            for (RawBsonDocument d : source.find(filter).batchSize(bulkSize)) {
                runImages++;
                runBytes += d.getByteBuffer().remaining();
                bulk.add(new ReplaceOneModel<>(Filters.eq("id", d.get("id")), d, new ReplaceOptions().upsert(true)));
                if (bulk.size() >= bulkSize) {
                    target.bulkWrite(bulk);
                    bulk = new ArrayList<>(bulkSize);
                }
            }
            if (!bulk.isEmpty()) {
                target.bulkWrite(bulk);
            }
        }
        consumer.getCollection("is_deployed").updateOne(new Document("is_deployed", true), Updates.set("is_deployed", true),
                new UpdateOptions().upsert(true));
        previousSnapshot = snapshot;
        images += runImages;
        bytes += runBytes;
        Run run = new Run(simMs, snapshot, runImages, runBytes, System.nanoTime() - start);
        runs.add(run);
        return run;
    }

    public Mode mode() {
        return mode;
    }

    public String consumerDatabase() {
        return consumer.getName();
    }

    /** db_synchronizer_job_image */
    public long images() {
        return images;
    }

    /** db_synchronizer_job_image_size */
    public long bytes() {
        return bytes;
    }

    public List<Run> runs() {
        return runs;
    }
}
