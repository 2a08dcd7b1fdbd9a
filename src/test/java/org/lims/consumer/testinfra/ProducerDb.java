package org.lims.consumer.testinfra;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import org.bson.Document;
import org.bson.types.Binary;

/**
 * A LIMS producer database for reconciliation tests: records stored as the Image API stores them
 * (native BSON, one collection per plant named as the consumer's), written straight to MongoDB.
 * Also writes straight to a consumer database, to prepare what a restored backup or a hand edit leaves.
 */
public final class ProducerDb implements AutoCloseable {

    private final MongoClient client;
    private final MongoDatabase db;

    public ProducerDb(String uri, String database) {
        this.client = MongoClients.create(uri);
        this.db = client.getDatabase(database);
        for (String plant : TestScope.PLANTS) {
            collection(plant).createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
        }
    }

    public MongoCollection<Document> collection(String plant) {
        return db.getCollection(AppDefaults.collection(plant));
    }

    /** A record as the producer (and, once synced, the consumer) stores it; {@code camera_id} tells versions apart. */
    public static Document record(long id, Instant created, Instant updated, int cameraId, int imageBytes) {
        Document d = new Document();
        d.put("id", id <= Integer.MAX_VALUE ? (Object) (int) id : (Object) id);
        d.put("camera_id", cameraId);
        d.put("data", new Binary(LimsEvents.image(id, imageBytes)));
        d.put("gps_coordinates", List.of(48.476563, 16.585654));
        d.put("created_at", Date.from(created));
        d.put("updated_at", updated == null ? null : Date.from(updated));
        d.put("is_active", false);
        d.put("is_deleted", false);
        d.put("disease", null);
        d.put("percentage", null);
        return d;
    }

    /** Inserts in batches of 1,000 (copies: the driver adds an _id to what it inserts). */
    public static void insert(MongoCollection<Document> collection, List<Document> records) {
        List<Document> batch = new ArrayList<>();
        for (Document r : records) {
            batch.add(new Document(r));
            if (batch.size() == 1000) {
                collection.insertMany(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            collection.insertMany(batch);
        }
    }

    public static void replace(MongoCollection<Document> collection, Document record) {
        collection.replaceOne(Filters.eq("id", record.get("id")), new Document(record), new ReplaceOptions().upsert(true));
    }

    public void insert(String plant, List<Document> records) {
        insert(collection(plant), records);
    }

    public void replace(String plant, Document record) {
        replace(collection(plant), record);
    }

    public long count(String plant) {
        return collection(plant).countDocuments();
    }

    @Override
    public void close() {
        client.close();
    }
}
