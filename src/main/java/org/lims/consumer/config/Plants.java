package org.lims.consumer.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Variable;

/**
 * Bean {@code plants}: the plants as configuration declares them, once. {@code lims.kafka.topics}
 * names one topic per plant (the plant is the topic less {@code lims.kafka.topic-prefix}) and
 * {@code lims.mongodb.collection.<plant>} its collection. The {@code route-plant} route reads these
 * defaults and may override them; everything that needs a plant's collection asks that route.
 * Adding a plant is configuration only: a topic and its collection setting.
 */
public final class Plants {

    public static final String COLLECTION_PREFIX = "lims.mongodb.collection.";
    /** The exchange variable route-plant reads the plant from. */
    public static final String PLANT_VARIABLE = "plant";

    private final String topicPrefix;
    private final Map<String, String> collections;

    private Plants(String topicPrefix, Map<String, String> collections) {
        this.topicPrefix = topicPrefix;
        this.collections = Collections.unmodifiableMap(collections);
    }

    /** Reads and checks the declaration: every consumed topic must have a collection setting. */
    public static Plants from(Settings settings) {
        String prefix = settings.get(Settings.TOPIC_PREFIX).orElse("");
        Map<String, String> collections = new LinkedHashMap<>();
        for (String topic : settings.require(Settings.KAFKA_TOPICS).split(",")) {
            String t = topic.trim();
            if (t.isEmpty()) {
                continue;
            }
            String plant = plantOf(t, prefix);
            String key = COLLECTION_PREFIX + plant;
            String collection = settings.get(key).orElseThrow(() -> new Settings.StartupException(
                    "topic '" + t + "' is consumed (" + Settings.envName(Settings.KAFKA_TOPICS) + ") but plant '" + plant
                            + "' has no collection: set " + Settings.envName(key) + " (" + key + ")"));
            collections.put(plant, collection);
        }
        if (collections.isEmpty()) {
            throw new Settings.StartupException(Settings.envName(Settings.KAFKA_TOPICS) + " (" + Settings.KAFKA_TOPICS + ") names no topic");
        }
        return new Plants(prefix, collections);
    }

    /** The plants, in the order of {@code lims.kafka.topics}. */
    public List<String> names() {
        return new ArrayList<>(collections.keySet());
    }

    /** In route-plant: the plant in variable {@value #PLANT_VARIABLE} (bound by annotation, not parsed from the route per call). */
    public boolean isPlant(@Variable(PLANT_VARIABLE) String plant) {
        return plant != null && collections.containsKey(plant);
    }

    /** The collection configuration maps the plant to ({@code lims.mongodb.collection.<plant>}), or null. */
    public String collection(@Variable(PLANT_VARIABLE) String plant) {
        return plant == null ? null : collections.get(plant);
    }

    /** The plant a topic carries: the topic less {@code lims.kafka.topic-prefix}. */
    public String plantOf(String topic) {
        return plantOf(topic, topicPrefix);
    }

    public String topicOf(String plant) {
        return topicPrefix + plant;
    }

    private static String plantOf(String topic, String prefix) {
        return topic != null && !prefix.isEmpty() && topic.startsWith(prefix) ? topic.substring(prefix.length()) : topic;
    }

    @Override
    public String toString() {
        return collections.toString();
    }
}
