package org.lims.consumer.testinfra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import org.bson.Document;

import static org.awaitility.Awaitility.await;

/** Reads the consumer database of a test scope, the way a LIMS client of that database would. */
public final class ConsumerDb implements AutoCloseable {

    private final MongoClient client;
    private final MongoDatabase db;
    private final TestScope scope;

    public ConsumerDb(TestScope scope) {
        this.scope = scope;
        this.client = MongoClients.create(LimsInfrastructure.mongoUri());
        this.db = client.getDatabase(scope.database());
    }

    public Document find(String plant, long id) {
        Document doc = db.getCollection(scope.collection(plant)).find(Filters.eq("id", id)).first();
        if (doc == null && id <= Integer.MAX_VALUE) {
            doc = db.getCollection(scope.collection(plant)).find(Filters.eq("id", (int) id)).first();
        }
        return doc;
    }

    public long count(String plant) {
        return db.getCollection(scope.collection(plant)).countDocuments();
    }

    public List<Document> all(String plant) {
        return db.getCollection(scope.collection(plant)).find().into(new ArrayList<>());
    }

    public Document awaitRecord(String plant, long id, Predicate<Document> condition, Duration timeout) {
        await(plant + " " + id).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Document d = find(plant, id);
                    return d != null && condition.test(d);
                });
        return find(plant, id);
    }

    public Document awaitRecord(String plant, long id, Predicate<Document> condition) {
        return awaitRecord(plant, id, condition, Duration.ofSeconds(30));
    }

    public void awaitCount(String plant, long expected, Duration timeout) {
        await(plant + " count " + expected).atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> count(plant) == expected);
    }

    public void awaitAbsent(String plant, long id) {
        await(plant + " " + id + " absent").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> find(plant, id) == null);
    }

    public MongoDatabase database() {
        return db;
    }

    public static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.longValue() == y.longValue();
        }
        return Objects.equals(a, b);
    }

    @Override
    public void close() {
        client.close();
    }
}
