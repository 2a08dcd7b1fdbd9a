package org.lims.consumer.dev.sim;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.lims.consumer.config.Plants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev profile's demo traffic: the LIMS simulator running without end against the app's own
 * Kafka broker and MongoDB server. The producer database ({@code imagedbplantproducer}) is
 * seeded on first start and continued on later ones; the LIMS jobs run at {@code speedup} times
 * real time. Declared as the bean {@code devSimulator} in {@code routes-dev/demo-traffic.camel.yaml},
 * started by the {@code demo-traffic} route; {@link #progress()} is the compact progress line. It
 * simulates the plants the app is configured with (the {@code plants} bean: {@code lims.kafka.topics},
 * {@code lims.kafka.topic-prefix}), publishing each plant's changes to the topic the app consumes.
 */
public class DevSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(DevSimulator.class);

    private String brokers;
    private String mongoUri;
    private Plants plants;
    private String groupId;
    private String producerDatabase = ImageApi.PRODUCER_DATABASE;
    private double speedup = 60;
    private double rate = 1;
    private int seedPerPlant = 30;
    private double lostPublishShare;

    private MongoClient mongo;
    private ImageApi api;
    private LimsSimulator simulator;
    private Admin admin;
    private long committedAtStart = -1;

    public synchronized void start() {
        if (simulator != null) {
            return;
        }
        mongo = MongoClients.create(mongoUri);
        Instant newest = newestVersion(mongo.getDatabase(producerDatabase), plants.names());
        Instant now = Instant.now();
        // never stamp a version older than one already stored: consumers keep the newest version
        Instant start = newest != null && newest.isAfter(now) ? newest.plusSeconds(1) : now;
        SimClock clock = new SimClock(start, speedup);
        api = new ImageApi(mongo, producerDatabase, brokers, topics(), clock, LeafImages.pool(), new Random());
        api.loadExisting();
        simulator = new LimsSimulator(api, clock, rate, new Random());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers));
        long[] before = offsets();
        committedAtStart = before == null ? -1 : before[0];
        int seeded = 0;
        if (api.totalRecords() == 0 && seedPerPlant > 0) {
            seeded = simulator.seed(seedPerPlant).size();
        }
        if (lostPublishShare > 0) {
            // after the seed: the demo's reconciliation has lost changes to heal (docs/reconciliation.md)
            api.losePublishes(lostPublishShare, new Random());
        }
        simulator.startBackground();
        LOG.info("LIMS simulator started: producer database {} ({} records, {} seeded), jobs at {}x real time, job rate x{}",
                producerDatabase, api.totalRecords(), seeded, compact(speedup), compact(rate));
    }

    /** One line: changes produced, applied by the consumer group, lag. */
    public String progress() {
        if (api == null) {
            return "LIMS simulator: not started";
        }
        long[] offsets = offsets();
        String applied = "?";
        String lag = "?";
        if (offsets != null) {
            if (committedAtStart < 0) {
                committedAtStart = offsets[0];
            }
            applied = String.valueOf(offsets[0] - committedAtStart);
            lag = String.valueOf(offsets[1] - offsets[0]);
        }
        String lost = api.lostPublishes() > 0 ? ", " + api.lostPublishes() + " publishes lost (for reconciliation to heal)" : "";
        return String.format(Locale.ROOT, "LIMS simulator: %d changes produced, %s applied, lag %s%s (simulated %s, %sx; producer DB %d records)",
                api.published(), applied, lag, lost, simulator.clock().now().toString().replace('T', ' ').replaceAll("\\.\\d+Z$|Z$", ""),
                compact(speedup), api.totalRecords());
    }

    /** [sum of committed offsets of the group, sum of end offsets] over the plant topics, or null when Kafka does not answer. */
    private long[] offsets() {
        try {
            List<String> names = List.copyOf(topics().values());
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).forEach((topic, d) ->
                    d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            long end = 0;
            for (var e : admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).values()) {
                end += e.offset();
            }
            long committed = 0;
            var groupOffsets = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            for (var e : groupOffsets.entrySet()) {
                if (latest.containsKey(e.getKey()) && e.getValue() != null) {
                    committed += e.getValue().offset();
                }
            }
            return new long[] {committed, end};
        } catch (Exception e) {
            return null;
        }
    }

    private static String compact(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** plant -> the topic the app consumes it from */
    private Map<String, String> topics() {
        Map<String, String> topics = new LinkedHashMap<>();
        plants.names().forEach(plant -> topics.put(plant, plants.topicOf(plant)));
        return topics;
    }

    static Instant newestVersion(MongoDatabase db, List<String> plants) {
        Instant newest = null;
        for (String plant : plants) {
            for (String field : List.of("updated_at", "created_at")) {
                Document d = db.getCollection(ImageApi.collectionName(plant)).find().sort(Sorts.descending(field)).limit(1).first();
                if (d != null && d.get(field) instanceof Date date && (newest == null || date.toInstant().isAfter(newest))) {
                    newest = date.toInstant();
                }
            }
        }
        return newest;
    }

    public synchronized void stop() {
        if (simulator != null) {
            simulator.stop();
            simulator = null;
        }
        if (api != null) {
            api.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }

    public void setBrokers(String brokers) {
        this.brokers = brokers;
    }

    public void setMongoUri(String mongoUri) {
        this.mongoUri = mongoUri;
    }

    public void setPlants(Plants plants) {
        this.plants = plants;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    public void setProducerDatabase(String producerDatabase) {
        this.producerDatabase = producerDatabase;
    }

    public void setSpeedup(double speedup) {
        this.speedup = speedup;
    }

    public void setRate(double rate) {
        this.rate = rate;
    }

    public void setSeedPerPlant(int seedPerPlant) {
        this.seedPerPlant = seedPerPlant;
    }

    public void setLostPublishShare(double lostPublishShare) {
        this.lostPublishShare = lostPublishShare;
    }
}
