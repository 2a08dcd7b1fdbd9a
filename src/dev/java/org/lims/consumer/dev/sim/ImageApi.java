package org.lims.consumer.dev.sim;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.bson.types.Binary;
import org.lims.consumer.codec.Hex;

/**
 * The producer side as the LIMS Image API behaves: every create, update and soft delete is
 * written to the producer database ({@code imagedbplantproducer}, one collection per plant) and
 * then published as the contract's JSON (the full record after the change) to the plant's topic,
 * keyed by id. Not thread-safe: the simulator's event loop is its only caller.
 */
public final class ImageApi implements AutoCloseable {

    public static final String PRODUCER_DATABASE = "imagedbplantproducer";
    /** The recognizer's classes of the LIMS plants; a plant added by configuration gets {@link #OTHER_DISEASES}. */
    private static final Map<String, List<String>> DISEASES = Map.of(
            "potato", List.of("Early Blight", "Late Blight", "Healthy"),
            "pepper", List.of("Bacterial Spot", "Healthy"),
            "tomato", List.of("Bacterial Spot", "Early Blight", "Late Blight", "Leaf Mold", "Septoria Leaf Spot",
                    "Spider Mites", "Target Spot", "Yellow Leaf Curl Virus", "Mosaic Virus", "Healthy"));
    private static final List<String> OTHER_DISEASES = List.of("Leaf Spot", "Healthy");
    private static final DateTimeFormatter LIMS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private final MongoDatabase db;
    private final KafkaProducer<String, byte[]> producer;
    /** plant -> the topic its changes are published to, in the configured order */
    private final Map<String, String> topics;
    private final SimClock clock;
    private final LeafImages images;
    private final Random random;
    private final Map<String, PlantState> states = new HashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong bytesPublished = new AtomicLong();
    private final AtomicLong lostPublishes = new AtomicLong();
    private volatile double lostPublishShare;
    private Random lossRandom;

    /** What the simulator keeps in memory of one plant's records, to pick targets for the jobs. */
    private static final class PlantState {
        final Map<Integer, Document> records = new HashMap<>();
        final IdBag live = new IdBag();
        final IdBag unclassified = new IdBag();
        int lastId;
    }

    /** @param topics the plants, each with the topic its changes are published to */
    public ImageApi(MongoClient mongo, String database, String brokers, Map<String, String> topics, SimClock clock, LeafImages images,
                    Random random) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("no plants to simulate");
        }
        this.db = mongo.getDatabase(database);
        this.topics = new LinkedHashMap<>(topics);
        this.clock = clock;
        this.images = images;
        this.random = random;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(p);
        for (String plant : this.topics.keySet()) {
            states.put(plant, new PlantState());
            collection(plant).createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
        }
    }

    /** The plants, in the configured order. */
    public List<String> plants() {
        return List.copyOf(topics.keySet());
    }

    /** The recognizer's classes for a plant. */
    public static List<String> diseases(String plant) {
        return DISEASES.getOrDefault(plant, OTHER_DISEASES);
    }

    /** The Image API's collection of a plant in the producer database. */
    public static String collectionName(String plant) {
        return "imagecolplant" + plant;
    }

    public MongoCollection<Document> collection(String plant) {
        return db.getCollection(collectionName(plant));
    }

    public String databaseName() {
        return db.getName();
    }

    public void addListener(Consumer<Change> listener) {
        listeners.add(listener);
    }

    /** Reads what the producer database already holds (a restarted dev run); returns the newest version, or null. */
    public Instant loadExisting() {
        long newest = Long.MIN_VALUE;
        for (String plant : topics.keySet()) {
            PlantState state = states.get(plant);
            for (Document d : collection(plant).find().batchSize(100)) {
                int id = ((Number) d.get("id")).intValue();
                d.remove("_id");
                remember(plant, state, id, d);
                Date v = version(d);
                if (v != null) {
                    newest = Math.max(newest, v.getTime());
                }
            }
        }
        return newest == Long.MIN_VALUE ? null : Instant.ofEpochMilli(newest);
    }

    public int size(String plant) {
        return states.get(plant).records.size();
    }

    public int totalRecords() {
        return states.values().stream().mapToInt(s -> s.records.size()).sum();
    }

    // ------------------------------------------------------------------------------------------
    // The Image API's operations

    /** PUT /image-plant/{plant}/: a new record with the next id (the camera job). */
    public Change create(String plant, String kind, Instant at) {
        PlantState state = states.get(plant);
        int id = state.lastId + 1;
        Document d = new Document();
        d.put("id", id);
        d.put("camera_id", 1 + random.nextInt(5));
        d.put("data", new Binary(images.pick(random)));
        d.put("gps_coordinates", gps());
        Date now = Date.from(at);
        d.put("created_at", now);
        d.put("updated_at", null);
        d.put("is_active", false);
        d.put("is_deleted", false);
        d.put("disease", null);
        d.put("percentage", null);
        collection(plant).insertOne(new Document(d));
        remember(plant, state, id, d);
        return publish(kind, plant, id, d);
    }

    /** The recognizer job: classifies one unclassified image; null when there is none. */
    public Change classifyOne(String plant) {
        PlantState state = states.get(plant);
        int id = state.unclassified.pick(random);
        if (id < 0) {
            return null;
        }
        List<String> classes = diseases(plant);
        return update(plant, id, "recognizer", d -> {
            d.put("disease", classes.get(random.nextInt(classes.size())));
            d.put("percentage", Math.round((0.5 + random.nextDouble() * 0.5) * 1000) / 1000.0);
        });
    }

    /** The users job: toggles {@code is_active} of a random image. */
    public Change toggleActive(String plant) {
        int id = states.get(plant).live.pick(random);
        return id < 0 ? null : update(plant, id, "toggle-active", d -> d.put("is_active", !Boolean.TRUE.equals(d.get("is_active"))));
    }

    /** The users job: edits {@code camera_id} and {@code gps_coordinates} of a random image. */
    public Change editMetadata(String plant) {
        int id = states.get(plant).live.pick(random);
        return id < 0 ? null : update(plant, id, "edit-metadata", d -> {
            d.put("camera_id", 1 + random.nextInt(5));
            d.put("gps_coordinates", gps());
        });
    }

    /** DELETE /image-plant/{plant}/{id}: soft delete of a random image. */
    public Change softDeleteOne(String plant) {
        int id = states.get(plant).live.pick(random);
        return id < 0 ? null : update(plant, id, "soft-delete", d -> d.put("is_deleted", true));
    }

    /** POST /image-plant/{plant}/: the record with the edit applied and {@code updated_at} now. */
    public Change update(String plant, int id, String kind, Consumer<Document> edit) {
        PlantState state = states.get(plant);
        Document d = new Document(state.records.get(id));
        edit.accept(d);
        d.put("updated_at", Date.from(clock.stamp()));
        collection(plant).replaceOne(Filters.eq("id", id), new Document(d));
        remember(plant, state, id, d);
        return publish(kind, plant, id, d);
    }

    /** A plant with at least one unclassified image, chosen at random; null when none has one. */
    public String plantWithUnclassified() {
        List<String> candidates = new ArrayList<>();
        for (String plant : topics.keySet()) {
            if (!states.get(plant).unclassified.isEmpty()) {
                candidates.add(plant);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    public String randomPlant() {
        List<String> plants = plants();
        return plants.get(random.nextInt(plants.size()));
    }

    // ------------------------------------------------------------------------------------------

    private void remember(String plant, PlantState state, int id, Document d) {
        state.records.put(id, d);
        state.lastId = Math.max(state.lastId, id);
        if (Boolean.TRUE.equals(d.get("is_deleted"))) {
            state.live.remove(id);
            state.unclassified.remove(id);
        } else {
            state.live.add(id);
            if (d.get("disease") == null) {
                state.unclassified.add(id);
            } else {
                state.unclassified.remove(id);
            }
        }
    }

    private List<Double> gps() {
        return List.of(Math.round((48 + random.nextDouble()) * 1e6) / 1e6, Math.round((16 + random.nextDouble()) * 1e6) / 1e6);
    }

    private Change publish(String kind, String plant, int id, Document d) {
        String key = String.valueOf(id);
        byte[] value = json(d);
        long wall = System.nanoTime();
        int bytes = key.getBytes(StandardCharsets.UTF_8).length + value.length;
        boolean lost = lostPublishShare > 0 && lossRandom.nextDouble() < lostPublishShare;
        if (lost) {
            lostPublishes.incrementAndGet();
        } else {
            producer.send(new ProducerRecord<>(topics.get(plant), key, value));
            bytesPublished.addAndGet(bytes);
        }
        counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        Date v = version(d);
        Change change = new Change(seq.incrementAndGet(), kind, plant, id, v.getTime(),
                v.getTime() - clock.start().toEpochMilli(), wall, bytes, lost);
        for (Consumer<Change> listener : listeners) {
            listener.accept(change);
        }
        return change;
    }

    public static Date version(Document d) {
        Object updated = d.get("updated_at");
        return updated instanceof Date u ? u : (Date) d.get("created_at");
    }

    /** The contract's JSON: the full record, data as lowercase hex, zoneless microsecond times (UTC). */
    public static byte[] json(Document d) {
        Binary data = (Binary) d.get("data");
        StringBuilder s = new StringBuilder(300 + (data == null ? 0 : data.getData().length * 2));
        s.append("{\"id\":").append(d.get("id"));
        s.append(",\"camera_id\":").append(d.get("camera_id"));
        s.append(",\"data\":");
        if (data == null) {
            s.append("null");
        } else {
            s.append('"').append(Hex.encode(data.getData())).append('"');
        }
        @SuppressWarnings("unchecked")
        List<Double> gps = (List<Double>) d.get("gps_coordinates");
        s.append(",\"gps_coordinates\":[").append(gps.get(0)).append(',').append(gps.get(1)).append(']');
        s.append(",\"created_at\":").append(time((Date) d.get("created_at")));
        s.append(",\"updated_at\":").append(time((Date) d.get("updated_at")));
        s.append(",\"is_active\":").append(d.get("is_active"));
        s.append(",\"is_deleted\":").append(d.get("is_deleted"));
        Object disease = d.get("disease");
        s.append(",\"disease\":").append(disease == null ? "null" : "\"" + disease + "\"");
        s.append(",\"percentage\":").append(d.get("percentage") == null ? "null" : d.get("percentage").toString());
        s.append('}');
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String time(Date date) {
        return date == null ? "null" : "\"" + LocalDateTime.ofInstant(date.toInstant(), ZoneOffset.UTC).format(LIMS_TIME) + "\"";
    }

    public Map<String, Long> counts() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /**
     * A fault: from now on, each Kafka publish is lost with probability {@code share} (the producer
     * database is written all the same), decided by {@code random} apart from the jobs' own draws.
     */
    public void losePublishes(double share, Random random) {
        this.lossRandom = random;
        this.lostPublishShare = share;
    }

    /** Publishes lost so far (see {@link #losePublishes}). */
    public long lostPublishes() {
        return lostPublishes.get();
    }

    /** Changes made so far (seed included), lost publishes included. */
    public long published() {
        return seq.get();
    }

    public long bytesPublished() {
        return bytesPublished.get();
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
