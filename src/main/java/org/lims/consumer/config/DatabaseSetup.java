package org.lims.consumer.config;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.bson.Document;

/**
 * Bean {@code databaseSetup}: the documents the {@code prepare-database} route sends, so the
 * route reads as the start-up sequence and this class holds only their shape.
 */
public class DatabaseSetup implements CamelContextAware {

    private CamelContext context;

    /** The collection of every configured topic's plant: {@code lims.mongodb.collection.<plant>}. */
    public List<String> collections() {
        Settings settings = new Settings(context.getPropertiesComponent());
        List<String> collections = new ArrayList<>();
        String prefix = settings.get(Settings.TOPIC_PREFIX).orElse("");
        for (String topic : settings.require(Settings.KAFKA_TOPICS).split(",")) {
            String plant = topic.trim().startsWith(prefix) ? topic.trim().substring(prefix.length()) : topic.trim();
            settings.get("lims.mongodb.collection." + plant).ifPresent(collections::add);
        }
        return collections;
    }

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

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
