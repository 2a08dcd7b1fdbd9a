package org.lims.consumer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.BsonBinaryWriter;
import org.bson.Document;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.lims.consumer.testinfra.AppDefaults;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.testinfra.ChildProcess;

/** Measurements without the app: what the Mongo-wire server, the broker and the codec can do on their own. */
final class Ceilings {

    record Figure(String what, long messages, double seconds, double serverCpuSeconds, String note, double othersCores) {
        Figure(String what, long messages, double seconds, double serverCpuSeconds, String note) {
            this(what, messages, seconds, serverCpuSeconds, note, Double.NaN);
        }

        double rate() {
            return messages / seconds;
        }

        Figure withOthers(double cores) {
            return new Figure(what, messages, seconds, serverCpuSeconds, note, cores);
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %.1f | %.0f | %s | %.2f | %s |", what, messages, seconds, rate(),
                    serverCpuSeconds < 0 ? "" : String.format(Locale.ROOT, "%.1f", serverCpuSeconds), othersCores, note);
        }
    }

    private Ceilings() {
    }

    /**
     * insertMany of {@code batch}-document batches of decoded documents into a fresh collection.
     * With {@code uniqueIndex} the collection first gets the app's unique index on {@code id}.
     */
    static Figure insertMany(String label, MongoClient client, ChildProcess server, Workload w, int docs, int batch, boolean uniqueIndex) {
        MongoDatabase db = client.getDatabase("ceiling_" + UUID.randomUUID().toString().substring(0, 8));
        try {
            MongoCollection<Document> col = db.getCollection("images");
            if (uniqueIndex) {
                col.createIndex(Indexes.ascending("id"), new IndexOptions().unique(true).name("id_unique"));
            }
            double cpu0 = server.cpuSeconds();
            long t0 = System.nanoTime();
            List<Document> buffer = new ArrayList<>(batch);
            for (int id = 1; id <= docs; id++) {
                buffer.add(w.decodedDocument(id, id));
                if (buffer.size() == batch || id == docs) {
                    col.insertMany(buffer, new InsertManyOptions().ordered(false));
                    buffer.clear();
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return new Figure(label + ": insertMany, " + batch + "-document batches" + (uniqueIndex ? ", unique id index" : ""),
                    docs, s, server.cpuSeconds() - cpu0, "");
        } finally {
            db.drop();
        }
    }

    /**
     * The app's Mongo pattern without the app: per batch, one find of the stored versions
     * ({@code {id: {$in: [...]}}}, projection) and one unordered bulkWrite of replaceOne-upserts by id,
     * on a collection with the unique id index; every document is new (creates only).
     */
    static Figure appPattern(String label, MongoClient client, ChildProcess server, Workload w, int docs, int batch) {
        MongoDatabase db = client.getDatabase("ceiling_" + UUID.randomUUID().toString().substring(0, 8));
        try {
            MongoCollection<Document> col = db.getCollection("images");
            col.createIndex(Indexes.ascending("id"), new IndexOptions().unique(true).name("id_unique"));
            ReplaceOptions upsert = new ReplaceOptions().upsert(true);
            double cpu0 = server.cpuSeconds();
            long t0 = System.nanoTime();
            List<WriteModel<Document>> models = new ArrayList<>(batch);
            List<Integer> ids = new ArrayList<>(batch);
            for (int id = 1; id <= docs; id++) {
                Document d = w.decodedDocument(id, id);
                ids.add(id);
                models.add(new ReplaceOneModel<>(Filters.eq("id", id), d, upsert));
                if (models.size() == batch || id == docs) {
                    col.find(Filters.in("id", ids)).projection(Projections.include("id", "created_at", "updated_at"))
                            .into(new ArrayList<>());
                    col.bulkWrite(models, new BulkWriteOptions().ordered(false));
                    models.clear();
                    ids.clear();
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return new Figure(label + ": find versions ($in) + bulkWrite replaceOne-upsert, " + batch + " per batch, unique id index",
                    docs, s, server.cpuSeconds() - cpu0, "the app's write pattern, all creates");
        } finally {
            db.drop();
        }
    }

    /**
     * The Mongo-wire server's own ceiling for the backlog's write mix: the backlog replayed in polls of
     * {@code batch} messages, each decoded by the app's codec and folded per id (newest wins) outside the clock;
     * timed are only the calls to the server, per collection and poll: the version read ({@code {id: {$in}}})
     * and the writes, either {@code insertMany} of the absent ids plus replace-by-id of the present ones
     * ({@code insertsForAbsent}), or one upsert-replace each. Into a fresh database with the unique id index.
     */
    static Figure writeMix(String label, MongoClient client, ChildProcess server, Workload w, int messages, int batch, boolean insertsForAbsent) {
        MongoDatabase db = client.getDatabase("ceiling_" + UUID.randomUUID().toString().substring(0, 8));
        ImageRecordCodec codec = new ImageRecordCodec();
        try {
            for (String collection : Workload.PLANTS.stream().map(AppDefaults::collection).toList()) {
                db.getCollection(collection).createIndex(Indexes.ascending("id"), new IndexOptions().unique(true).name("id_unique"));
            }
            double cpu0 = server.cpuSeconds();
            long timed = 0;
            java.util.Map<String, java.util.Map<Object, Document>> poll = new java.util.LinkedHashMap<>();
            for (int i = 1; i <= messages; i++) {
                Workload.Message m = w.next();
                Document doc = codec.decode(m.value(), m.key()).document();
                poll.computeIfAbsent(AppDefaults.collection(m.topic()), k -> new java.util.LinkedHashMap<>()).put(doc.get("id"), doc);
                if (i % batch == 0 || i == messages) {
                    long t0 = System.nanoTime();
                    for (var e : poll.entrySet()) {
                        writePoll(db.getCollection(e.getKey()), e.getValue(), insertsForAbsent);
                    }
                    timed += System.nanoTime() - t0;
                    poll.clear();
                }
            }
            String how = insertsForAbsent ? "insertMany of absent ids + replaceOne of present ones" : "replaceOne-upsert of every id";
            return new Figure(label + ": the backlog's write mix, version read + " + how + ", " + batch + " messages per poll",
                    messages, timed / 1e9, server.cpuSeconds() - cpu0, "server calls only (decoding outside the clock)");
        } finally {
            db.drop();
        }
    }

    private static void writePoll(MongoCollection<Document> col, java.util.Map<Object, Document> byId, boolean insertsForAbsent) {
        java.util.Set<Object> present = new java.util.HashSet<>();
        for (Document d : col.find(Filters.in("id", byId.keySet())).projection(Projections.include("id", "created_at", "updated_at"))) {
            present.add(d.get("id"));
        }
        List<Document> inserts = new ArrayList<>();
        List<WriteModel<Document>> replaces = new ArrayList<>();
        ReplaceOptions options = new ReplaceOptions().upsert(!insertsForAbsent);
        for (var e : byId.entrySet()) {
            if (insertsForAbsent && !present.contains(e.getKey())) {
                inserts.add(e.getValue());
            } else {
                replaces.add(new ReplaceOneModel<>(Filters.eq("id", e.getKey()), e.getValue(), options));
            }
        }
        if (!inserts.isEmpty()) {
            col.insertMany(inserts, new InsertManyOptions().ordered(false));
        }
        if (!replaces.isEmpty()) {
            col.bulkWrite(replaces, new BulkWriteOptions().ordered(false));
        }
    }

    /** A plain KafkaConsumer reading the whole backlog of the plant topics. */
    static Figure rawConsume(String brokers, ChildProcess broker, long expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 50 * 1024 * 1024);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long count = 0;
        long bytes = 0;
        double cpu0 = broker.cpuSeconds();
        long t0 = System.nanoTime();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(Workload.PLANTS);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> r : records) {
                    count++;
                    bytes += r.value().length;
                }
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        return new Figure("Kafka: plain KafkaConsumer, whole backlog (incl. group join)", count, s, broker.cpuSeconds() - cpu0,
                String.format(Locale.ROOT, "%.0f MB/s", bytes / 1e6 / s));
    }

    /** In-process cost of the app's own codec (JSON + hex + dates) and of BSON-encoding its result, per message: best of 10 rounds. */
    static String codecCost(Workload w) {
        ImageRecordCodec codec = new ImageRecordCodec();
        int n = 2000;
        List<byte[]> values = new ArrayList<>(n);
        long bytes = 0;
        for (int i = 1; i <= n; i++) {
            byte[] v = w.sampleValue(i);
            values.add(v);
            bytes += v.length;
        }
        DocumentCodec bson = new DocumentCodec();
        char[] hex = org.lims.consumer.codec.Hex.encode(new byte[16_000]).toCharArray();
        long sink = 0;
        double decodeNs = Double.MAX_VALUE;
        double encodeNs = Double.MAX_VALUE;
        double hexNs = Double.MAX_VALUE;
        List<Document> decoded = new ArrayList<>(n);
        for (int round = 0; round < 10; round++) {
            decoded.clear();
            long t0 = System.nanoTime();
            for (byte[] v : values) {
                ImageRecord r = codec.decode(v, null);
                decoded.add(r.document());
            }
            long t1 = System.nanoTime();
            for (Document d : decoded) {
                sink += encode(bson, d);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += org.lims.consumer.codec.Hex.decode(hex, 0, hex.length).length;
            }
            long t3 = System.nanoTime();
            decodeNs = Math.min(decodeNs, (t1 - t0) / (double) n);
            encodeNs = Math.min(encodeNs, (t2 - t1) / (double) n);
            hexNs = Math.min(hexNs, (t3 - t2) / (double) n);
        }
        return String.format(Locale.ROOT,
                "In-process codec cost (benchmark JVM, one thread, best of 10 rounds of %d messages of %.1f KB): ImageRecordCodec.decode "
                        + "%.0f µs/message (%.0f msg/s per core, %.0f MB/s); of which Hex.decode of 32,000 hex digits %.0f µs; BSON encoding of "
                        + "the decoded document (DocumentCodec) %.0f µs/message [%d]",
                n, bytes / 1024.0 / n, decodeNs / 1000, 1e9 / decodeNs, bytes / (decodeNs / 1e9) / 1e6 / n, hexNs / 1000,
                encodeNs / 1000, sink % 10);
    }

    private static int encode(DocumentCodec codec, Document d) {
        BasicOutputBuffer out = new BasicOutputBuffer(20_000);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(out)) {
            codec.encode(writer, d, EncoderContext.builder().isEncodingCollectibleDocument(true).build());
        }
        return out.getPosition();
    }
}
