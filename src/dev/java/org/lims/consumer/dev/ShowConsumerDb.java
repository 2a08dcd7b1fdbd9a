package org.lims.consumer.dev;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.bson.types.Binary;
import org.lims.consumer.testinfra.AppDefaults;

/**
 * Prints what the consumer database holds: records per collection and the last records written.
 * {@code ./mvnw -q test-compile exec:exec@show-db -Dshow-db.args="[mongodb-uri, mongodb://localhost:27017] [database]"};
 * the database defaults to the app's ({@code lims.mongodb.database} of {@code application.properties}).
 */
public final class ShowConsumerDb {

    private ShowConsumerDb() {
    }

    public static void main(String[] args) {
        String uri = args.length > 0 ? args[0] : "mongodb://localhost:27017";
        String database = args.length > 1 ? args[1] : AppDefaults.property("lims.mongodb.database");
        try (MongoClient client = MongoClients.create(uri)) {
            MongoDatabase db = client.getDatabase(database);
            for (String name : db.listCollectionNames()) {
                long count = db.getCollection(name).countDocuments();
                System.out.printf("%-24s %6d records%n", name, count);
                for (Document d : db.getCollection(name).find().sort(new Document("id", -1)).limit(3)) {
                    Object data = d.get("data");
                    d.put("data", data instanceof Binary b ? "<" + b.getData().length + " bytes>" : data);
                    d.remove("_id");
                    System.out.println("    " + d.toJson());
                }
            }
        }
    }
}
