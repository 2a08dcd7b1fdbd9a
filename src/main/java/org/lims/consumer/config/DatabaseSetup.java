package org.lims.consumer.config;

import java.util.List;

import org.bson.Document;

/**
 * Bean {@code databaseSetup}: the documents the {@code prepare-database} route sends, so the
 * route reads as the start-up sequence and this class holds only their shape.
 */
public class DatabaseSetup {

    /** {@code createIndexes} for a unique index on the business key; a no-op when it exists. */
    public Document uniqueIdIndex(String collection) {
        return new Document("createIndexes", collection)
                .append("indexes", List.of(new Document("key", new Document("id", 1))
                        .append("name", "id_unique").append("unique", true)));
    }

    /** Filter and update for the {@code is_deployed} marker the LIMS API reads. */
    public List<Document> deployedMarker() {
        return List.of(new Document("is_deployed", true), new Document("$set", new Document("is_deployed", true)));
    }
}
