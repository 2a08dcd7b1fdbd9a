package org.lims.consumer.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.testinfra.AppDefaults;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.LimsApp;

/**
 * Staleness at a trickle, the app as the pod runs it: the packaged jar with the container image's JVM flags in a
 * process of its own, beside a broker and a Mongo-wire server in theirs (the experiment runs everything in one
 * JVM, whose heap and collector are then shared by all). Messages are sent one at a time, each after the last one
 * is stored; staleness is the time from the send to the moment MongoDB holds that version (polled every 2 ms).
 *
 * <pre>
 * ./mvnw -q -DskipTests package test-compile exec:exec@benchmark -Dbenchmark.args="--trickle --messages 200 --interval-ms 250"
 * </pre>
 * {@code --app-jvm "-Xa|-Xb"} appends JVM flags after the image's (so they override them).
 */
final class Trickle {

    private static final String DATABASE = "imagedbplantconsumer";
    private static final String READY = "Consumer database ready";
    /** Sent first and not counted: the group join and the first compilations are a catch-up's, not a trickle's. */
    private static final int WARM_UP = 20;

    private Trickle() {
    }

    static void run(Map<String, String> options) throws Exception {
        int messages = Integer.parseInt(options.getOrDefault("messages", "200"));
        long intervalMs = Long.parseLong(options.getOrDefault("interval-ms", "250"));
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"));
        Path out = Path.of("target/bench/trickle-" + stamp);
        Files.createDirectories(out);
        Path jar = Path.of(options.getOrDefault("app-jar", "target/lims-consumer.jar")).toAbsolutePath();
        List<String> extra = options.containsKey("app-jvm") ? Arrays.asList(options.get("app-jvm").split("\\|")) : List.of();
        try (ChildProcess kafka = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedKafka", String.valueOf(LimsApp.freePort()),
                        out.resolve("kafka").toString(), "3", String.join(",", Workload.PLANTS))
                .jvmArgs("-Xmx1g").name("kafka").log(out.resolve("kafka.log")).watch("KAFKA_READY").start();
             ChildProcess mongo = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedMongo", String.valueOf(LimsApp.freePort()))
                     .jvmArgs("-Xmx1g").name("mongo").log(out.resolve("mongo.log")).watch("MONGO_READY").start()) {
            String brokers = kafka.await("KAFKA_READY", 120);
            String uri = mongo.await("MONGO_READY", 60);
            // staleness once running: the class-data sharing archive (start-up) is left out
            List<String> command = new ArrayList<>(ImageJvmFlags.forJar(null));
            int[] ports = LimsApp.freePorts(2);
            command.add("-Xmx1g");
            command.addAll(extra);
            command.addAll(List.of("-Dlims.kafka.group-id=trickle-" + stamp, "-jar", jar.toString()));
            try (ChildProcess app = ChildProcess.java("lims", command)
                    .environment(Map.of("LIMS_KAFKA_BROKERS", brokers, "LIMS_MONGODB_URI", uri,
                            "LIMS_HTTP_PORT", String.valueOf(ports[0]), "LIMS_MANAGEMENT_PORT", String.valueOf(ports[1])))
                    .log(out.resolve("lims.log")).watch(READY).start();
                 MongoClient client = MongoClients.create(uri);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Backlog.producerProperties(brokers))) {
                app.await(READY, 120);
                Workload workload = new Workload(11, 16 * 1024);
                ImageRecordCodec codec = new ImageRecordCodec();
                double[] staleness = new double[messages];
                for (int i = -WARM_UP; i < messages; i++) {
                    Workload.Message m = workload.next();
                    ImageRecord record = codec.decode(m.value(), m.key());
                    MongoCollection<Document> collection = client.getDatabase(DATABASE).getCollection(AppDefaults.collection(m.topic()));
                    long t0 = System.nanoTime();
                    producer.send(new ProducerRecord<>(m.topic(), m.key(), m.value()));
                    producer.flush();
                    while (!stored(collection, record)) {
                        if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                            throw new IllegalStateException("message " + i + " (" + m.topic() + " id " + m.key() + ") not stored within 30 s; log " + app.log());
                        }
                        TimeUnit.MILLISECONDS.sleep(2);
                    }
                    if (i >= 0) {
                        staleness[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    TimeUnit.MILLISECONDS.sleep(intervalMs);
                }
                double[] sorted = staleness.clone();
                Arrays.sort(sorted);
                String report = String.format(Locale.ROOT,
                        "Trickle: %d messages (after %d not counted), one every %d ms after the last was stored, app JVM %s%n"
                                + "staleness (send to stored): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms; app CPU %.1f s, peak RSS %d MB%n",
                        messages, WARM_UP, intervalMs, String.join(" ", command.subList(0, command.indexOf("-jar"))),
                        sorted[messages / 2], sorted[(int) (messages * 0.9)], sorted[Math.min(messages - 1, (int) Math.ceil(messages * 0.99) - 1)],
                        sorted[messages - 1], app.cpuSeconds(), app.peakRssKb() / 1024);
                System.out.print(report);
                Files.writeString(out.resolve("results.md"), report);
                app.stop(30);
            }
        }
    }

    /** True once the collection holds the record's id at its version or later. */
    private static boolean stored(MongoCollection<Document> collection, ImageRecord record) {
        Document doc = collection.find(Filters.eq(ImageRecordCodec.ID, record.id()))
                .projection(Projections.include(ImageRecordCodec.UPDATED_AT, ImageRecordCodec.CREATED_AT)).first();
        if (doc == null) {
            return false;
        }
        Date stored = ImageRecordCodec.version(doc);
        return stored != null && !stored.before(record.version());
    }
}
