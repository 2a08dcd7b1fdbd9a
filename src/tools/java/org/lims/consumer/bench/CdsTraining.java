package org.lims.consumer.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.lims.consumer.testinfra.AppDefaults;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.LimsApp;

/**
 * The training catch-up whose loaded classes become the app's class-data sharing archive (dynamic AppCDS). The app,
 * started as it is deployed but with {@code -XX:ArchiveClassesAtExit} in place of {@code -XX:SharedArchiveFile}, syncs
 * a small backlog (creates, updates, soft deletes, a tombstone, a poison record that is dead-lettered), answers the REST
 * and management calls, and is stopped with SIGTERM; its JVM writes the archive as it exits. An archive fits only the
 * JVM that wrote it and the class path it ran with (a JVM that does not fit ignores it), so the image's is written by
 * the image's own JVM in the image's own root filesystem ({@code run-image.sh exec}), and the jar's by this JDK.
 *
 * <pre>
 * --image target/jib-image-untrained.tar --archive target/cds/lims-consumer.jsa   (-P image, at package: the image's)
 * --jar target/lims-consumer.jar --archive target/bench/cds/lims-consumer.jsa      (the benchmark's packaged jar)
 * </pre>
 * Options: {@code --messages 3000}, {@code --work target/cds-training}.
 */
public final class CdsTraining {

    /** The image's JVM flag that names the archive (pom.xml's Jib configuration). */
    public static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";
    private static final String IN_IMAGE = "/cds-training";
    private static final String DATABASE = AppDefaults.property("lims.mongodb.database");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = SyncBenchmark.parse(args);
        Path archive = Path.of(required(options, "archive")).toAbsolutePath();
        Path work = Path.of(options.getOrDefault("work", "target/cds-training")).toAbsolutePath();
        int messages = Integer.parseInt(options.getOrDefault("messages", "3000"));
        if (options.containsKey("image")) {
            trainImage(Path.of(options.get("image")).toAbsolutePath(), archive, work, messages);
        } else {
            trainJar(Path.of(required(options, "jar")).toAbsolutePath(), archive, work, messages);
        }
        System.exit(0);
    }

    /** The jar with the image's JVM flags, this JDK: the archive the benchmark's lims-consumer starts with. */
    public static Path trainJar(Path jar, Path archive, Path work, int messages) throws Exception {
        Files.createDirectories(archive.getParent());
        Files.deleteIfExists(archive);
        List<String> jvm = withTrainingFlag(ImageJvmFlags.read(), "-XX:ArchiveClassesAtExit=" + archive);
        jvm.add("-Xmx1g");
        return train("jar " + jar.getFileName(), env -> ChildProcess.java("cds-training", concat(jvm, List.of("-jar", jar.toString())))
                .environment(env).log(work.resolve("app.log")).start(), archive, work, messages);
    }

    /** The untrained image unpacked, its entrypoint's JVM run in its root filesystem, the archive written to a writable mount. */
    static Path trainImage(Path tar, Path archive, Path work, int messages) throws Exception {
        if (Files.readAllLines(Path.of("/proc/self/status")).stream().noneMatch(l -> l.matches("Uid:\\s+0\\s.*"))) {
            throw new IllegalStateException("the image's class-data sharing training runs the image's own JVM in the image's root filesystem "
                    + "(run-image.sh: mount and pid namespaces, chroot), which needs root: build the image with -P image as root, as CI does "
                    + "(docs/deploy.md)");
        }
        Path image = work.resolve("image");
        Path out = work.resolve("archive");
        SyncBenchmark.deleteTree(work);
        Files.createDirectories(out);
        // the image's user writes it
        out.toFile().setWritable(true, false);
        run(List.of("bash", "src/test/image/run-image.sh", "unpack", tar.toString(), image.toString()));
        JsonNode config = JSON.readTree(image.resolve("config.json").toFile()).path("config");
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(a -> entrypoint.add(a.asText()));
        String written = IN_IMAGE + "/" + archive.getFileName();
        List<String> argv = withTrainingFlag(entrypoint, "-XX:ArchiveClassesAtExit=" + written);
        train("image " + tar.getFileName(), env -> {
            List<String> command = new ArrayList<>(List.of("bash", "src/test/image/run-image.sh", "exec", image.toString()));
            env.forEach((k, v) -> command.add(k + "=" + v));
            command.add("--");
            command.addAll(argv);
            return ChildProcess.program("cds-training", command).environment(Map.of("WRITABLE_MOUNTS", out + ":" + IN_IMAGE))
                    .log(work.resolve("app.log")).start();
        }, out.resolve(archive.getFileName()), work, messages);
        Files.createDirectories(archive.getParent());
        Files.move(out.resolve(archive.getFileName()), archive, StandardCopyOption.REPLACE_EXISTING);
        SyncBenchmark.deleteTree(image);
        return archive;
    }

    /** The JVM flags with the archive to write at exit in place of the one to read (a JVM reads one or writes one). */
    public static List<String> withTrainingFlag(List<String> flags, String training) {
        return ImageJvmFlags.replacingArchive(flags, training);
    }

    private interface Starter {
        ChildProcess start(Map<String, String> env) throws IOException;
    }

    private static Path train(String what, Starter starter, Path written, Path work, int messages) throws Exception {
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        ChildProcess kafka = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedKafka", String.valueOf(LimsApp.freePort()),
                work.resolve("kafka").toString(), "3", String.join(",", Workload.PLANTS)).jvmArgs("-Xmx1g").name("kafka")
                .log(work.resolve("kafka.log")).watch("KAFKA_READY").start();
        ChildProcess mongo = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedMongo", String.valueOf(LimsApp.freePort()))
                .jvmArgs("-Xmx1g").name("mongo").log(work.resolve("mongo.log")).watch("MONGO_READY").start();
        ChildProcess app = null;
        try {
            String brokers = kafka.await("KAFKA_READY", 120);
            String uri = mongo.await("MONGO_READY", 60);
            Workload workload = new Workload(7, 16384);
            Backlog.produce(brokers, workload, messages);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Backlog.producerProperties(brokers))) {
                String plant = Workload.PLANTS.get(0);
                producer.send(new ProducerRecord<>(plant, "999998", "{\"id\": 999998, \"not\": json".getBytes()));
                producer.send(new ProducerRecord<>(plant, "999999", null));
                producer.flush();
            }
            try (MongoClient client = MongoClients.create(uri)) {
                MongoDatabase db = client.getDatabase(DATABASE);
                for (String plant : Workload.PLANTS) {
                    db.getCollection(AppDefaults.collection(plant)).createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
                }
                int[] ports = LimsApp.freePorts(2);
                int http = ports[0];
                int management = ports[1];
                Map<String, String> env = new LinkedHashMap<>();
                env.put("LIMS_KAFKA_BROKERS", brokers);
                env.put("LIMS_MONGODB_URI", uri);
                env.put("LIMS_HTTP_PORT", String.valueOf(http));
                env.put("LIMS_MANAGEMENT_PORT", String.valueOf(management));
                app = starter.start(env);
                FinalState state = new FinalState(db, workload.expected());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                FinalState.State s;
                while (!(s = state.check()).complete()) {
                    if (!app.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("training: the app did not sync the backlog (" + s + "); log " + app.log() + ":\n" + app.tail(30));
                    }
                    TimeUnit.MILLISECONDS.sleep(250);
                }
                int requests = callEndpoints(http, management);
                stop(app);
                if (!Files.isRegularFile(written) || Files.size(written) == 0) {
                    throw new IllegalStateException("training: the JVM wrote no archive at " + written + "; log " + app.log() + ":\n" + app.tail(30));
                }
                System.out.printf(Locale.ROOT, "CDS training (%s): %d messages synced, %d REST and management calls, archive %s (%.1f MB) in %.1f s%n",
                        what, messages, requests, written.getFileName(), Files.size(written) / 1e6, (System.nanoTime() - t0) / 1e9);
                return written;
            }
        } finally {
            if (app != null && app.isAlive()) {
                app.kill();
            }
            mongo.stop(10);
            kafka.stop(20);
            SyncBenchmark.deleteTree(work.resolve("kafka"));
        }
    }

    /** What a client and the monitoring call, so that the classes answering them are in the archive too; every call must answer. */
    private static int callEndpoints(int http, int management) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String plant = Workload.PLANTS.get(0);
        List<String> calls = List.of(
                "http://127.0.0.1:" + http + "/ping",
                "http://127.0.0.1:" + http + "/image-plant/" + plant + "/total/",
                "http://127.0.0.1:" + http + "/image-plant/" + plant + "/random/",
                "http://127.0.0.1:" + http + "/image-plant/" + plant + "/?page=1&size=5",
                "http://127.0.0.1:" + http + "/image-plant/" + plant + "/1",
                "http://127.0.0.1:" + http + "/image-plant/no-such-plant/1",
                "http://127.0.0.1:" + http + "/openapi.json",
                "http://127.0.0.1:" + management + "/observe/health/ready",
                "http://127.0.0.1:" + management + "/observe/metrics",
                "http://127.0.0.1:" + management + "/observe/dlq");
        for (String url : calls) {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() >= 500) {
                throw new IllegalStateException("training: " + url + " answered " + r.statusCode());
            }
        }
        return calls.size();
    }

    /** SIGTERM to the JVM (under run-image.sh: the java descendant), then its exit: the archive is written on the way out. */
    private static void stop(ChildProcess app) throws InterruptedException {
        ChildProcess.jvm(ProcessHandle.of(app.pid()).orElseThrow()).destroy();
        app.awaitExit(120);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String required(Map<String, String> options, String key) {
        String v = options.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required: --image <tar> | --jar <jar>, --archive <file.jsa>");
        }
        return v;
    }
}
