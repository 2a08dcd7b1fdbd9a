package org.lims.consumer.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.lims.consumer.testinfra.AppDefaults;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.LimsApp;

/**
 * Catch-up side by side (issue 11): one pre-produced backlog, then the MongoDB Kafka sink connector and
 * lims-consumer (the packaged jar, prod profile), one after the other, each as its own process against a
 * fresh Mongo-wire server (memory backend) whose collections have the unique {@code {id: 1}} index, each
 * timed from its process start until the database holds every id exactly once at its final version
 * ({@link FinalState}); then, warmed up, the Mongo-wire server's own ceiling for the same write mix.
 *
 * <pre>
 * ./mvnw -q -DskipTests package test-compile exec:exec@benchmark -Dbenchmark.args="--side-by-side --messages 20000"
 * </pre>
 *
 * Options: {@code --messages 20000}, {@code --image-bytes 16384}, {@code --seed 42}, {@code --only sink|lims},
 * {@code --app-jvm "-Da=b|-XX:..."} (extra JVM arguments of the app, separated by |), {@code --app-jar path},
 * {@code --sink-jvm ...}, {@code --mongo-jvm ...} (the Mongo-wire servers'), {@code --no-cds} (the app without its class-data sharing archive), {@code --cds-archive <file.jsa>} (one trained before, for the same jar), {@code --sink-max-poll 500}, {@code --no-ceiling}, {@code --timeout-s 600},
 * {@code --quiet-wait-s 20}, {@code --app-jfr} (a low-overhead JFR recording of the app: settings=default),
 * {@code --out target/bench}. The report ({@code results.md}) and every log go to {@code target/bench/side-<stamp>/}.
 */
final class SideBySide {

    private static final String DATABASE = "imagedbplantconsumer";
    private static final Pattern APPLIED = Pattern.compile("Applied batch: (\\d+) records");
    private static final String APPLIED_LINE = "Applied batch";
    private static final String DATABASE_READY_LINE = "Consumer database ready";
    private static final String PARTITIONS_LINE = "partitions assigned";

    /** One system under test: how to start it (the arguments after {@code java}), and the log lines that mark its start-up. */
    record Contender(String name, String label, List<String> command, Map<String, String> env, List<String> markers) {
    }

    /** What one contender's catch-up measured. Times in seconds from its process start. */
    record Result(Contender contender, double done, double firstDoc, Map<String, Double> marks, double secondHalfRate,
                  double cpu, double jitCpu, double gcCpu, double brokerCpu, double mongoCpu, double benchCpu, double othersCores,
                  long peakRssMb, List<Map.Entry<String, Double>> threads, FinalState.State state) {

        double rate(int messages) {
            return messages / done;
        }

        double rateAfterFirstDoc(int messages) {
            return messages / (done - firstDoc);
        }
    }

    private final Map<String, String> options;
    private final int messages;
    private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"));
    private final Path out;
    private final List<String> report = new ArrayList<>();
    private ChildProcess kafka;
    private String brokers;
    private Workload workload;
    private Map<String, Map<Integer, Workload.Expected>> expected;

    private SideBySide(Map<String, String> options) {
        this.options = options;
        this.messages = Integer.parseInt(options.getOrDefault("messages", "20000"));
        this.out = Path.of(options.getOrDefault("out", "target/bench")).toAbsolutePath().resolve("side-" + stamp);
    }

    static void main(Map<String, String> options, String[] args) throws Exception {
        SideBySide bench = new SideBySide(options);
        try {
            bench.run(args);
        } finally {
            if (bench.kafka != null) {
                bench.kafka.stop(20);
            }
            SyncBenchmark.deleteTree(bench.out.resolve("kafka"));
        }
    }

    private void run(String[] args) throws Exception {
        Path jar = Path.of(options.getOrDefault("app-jar", "target/lims-consumer.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run 'package' first");
        }
        String only = options.getOrDefault("only", "");
        if (!only.equals("lims")) {
            ConnectSink.prepare();
        }
        Files.createDirectories(out);
        say("# Catch-up side by side, run " + stamp);
        say("");
        say("Command: `./mvnw -q -DskipTests package test-compile exec:exec@benchmark -Dbenchmark.args=\"" + String.join(" ", args) + "\"`");
        say("");
        say("Machine: " + SyncBenchmark.machine() + "; load average before: " + loadAverage());
        say("");

        kafka = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedKafka", String.valueOf(freePort()), out.resolve("kafka").toString(),
                        "3", String.join(",", Workload.PLANTS))
                .jvmArgs("-Xmx1g").name("kafka").log(out.resolve("kafka.log")).watch("KAFKA_READY").start();
        brokers = kafka.await("KAFKA_READY", 120);
        workload = new Workload(seed(), imageBytes());
        double cpu0 = kafka.cpuSeconds();
        double produced = Backlog.produce(brokers, workload, messages);
        expected = workload.expected();
        int finalDocs = expected.values().stream().mapToInt(Map::size).sum();
        say(String.format(Locale.ROOT, "Backlog: %d messages pre-produced (%.0f MB of values, %.1f KB each on average; %d creates, %d updates, "
                        + "%d soft deletes; key = id) over 3 topics x 3 partitions in %.1f s (broker CPU %.1f s); final state: %d ids.",
                messages, workload.valueBytes / 1e6, workload.valueBytes / 1024.0 / messages, workload.creates, workload.updates,
                workload.softDeletes, produced, kafka.cpuSeconds() - cpu0, finalDocs));
        say("");

        List<Result> results = new ArrayList<>();
        if (!only.equals("lims")) {
            results.add(measure(sink()));
        }
        if (!only.equals("sink")) {
            results.add(measure(lims(jar, classDataArchive(jar))));
        }
        List<Ceilings.Figure> ceilings = options.containsKey("no-ceiling") ? List.of() : ceilings();
        render(results, ceilings);
        if (options.containsKey("app-jfr") && Files.exists(out.resolve("lims.jfr"))) {
            say(CatchUpProfile.render(out.resolve("lims.jfr")));
        }
        say("Load average after: " + loadAverage() + ". Logs: " + out);
        Files.write(out.resolve("results.md"), report);
        System.out.println("\nReport written to " + out.resolve("results.md"));
    }

    // ---------------------------------------------------------------- the contenders

    private Contender sink() {
        String name = "mongo-sink-" + stamp;
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-Xlog:gc:file=" + out.resolve("sink-gc.log")));
        jvm.addAll(listOption("sink-jvm"));
        // the URI is filled in once the contender's fresh Mongo-wire server is up
        return new Contender("sink", "MongoDB Kafka sink connector 2.0.1 (Connect standalone 3.9.1, 1 task)",
                jvm, Map.of("name", name, "maxPoll", options.getOrDefault("sink-max-poll", "500")),
                List.of("Kafka Connect started", ConnectSink.TASK_STARTED));
    }

    /**
     * The jar's class-data sharing archive, as the image ships one: written by a training catch-up of the jar with this
     * JDK ({@link CdsTraining}), before and outside the timed run; null with {@code --no-cds}.
     */
    private Path classDataArchive(Path jar) throws Exception {
        if (options.containsKey("no-cds")) {
            say("lims-consumer without a class-data sharing archive (--no-cds): the JDK's default archive only.");
            say("");
            return null;
        }
        if (options.containsKey("cds-archive")) {
            Path given = Path.of(options.get("cds-archive")).toAbsolutePath();
            say("lims-consumer's class-data sharing archive: " + given + " (--cds-archive, from an earlier training of the same jar).");
            say("");
            return given;
        }
        long t0 = System.nanoTime();
        Path archive = CdsTraining.trainJar(jar, out.resolve("cds").resolve("lims-consumer.jsa"), out.resolve("cds-training"), 3000);
        say(String.format(Locale.ROOT, "lims-consumer's class-data sharing archive: written by the training catch-up of the jar with this JDK "
                        + "(CdsTraining, 3,000 messages, %.0f MB, %.0f s, not timed), as the image's is written by the image's own JVM at its build.",
                Files.size(archive) / 1e6, (System.nanoTime() - t0) / 1e9));
        say("");
        return archive;
    }

    private Contender lims(Path jar, Path archive) {
        // as the container image starts it, with the heap of a pod with -Xmx1g (the flags' RAM percentage would take this machine's)
        List<String> cmd = new ArrayList<>(ImageJvmFlags.forJar(archive));
        cmd.addAll(List.of("-Xmx1g", "-Xlog:gc:file=" + out.resolve("lims-gc.log")));
        if (options.containsKey("app-jfr")) {
            cmd.add("-XX:StartFlightRecording=name=bench,settings=" + jfrSettings() + ",filename=" + out.resolve("lims.jfr"));
        }
        cmd.addAll(listOption("app-jvm"));
        cmd.add("-Dlims.kafka.group-id=lims-" + stamp);
        cmd.add("-Dlims.mongodb.database=" + DATABASE);
        cmd.addAll(List.of("-jar", jar.toString()));
        int[] ports = LimsApp.freePorts(2);
        return new Contender("lims", "lims-consumer (packaged jar, prod profile, the image's JVM flags)", cmd,
                Map.of("LIMS_HTTP_PORT", String.valueOf(ports[0]), "LIMS_MANAGEMENT_PORT", String.valueOf(ports[1])),
                List.of(DATABASE_READY_LINE, PARTITIONS_LINE, APPLIED_LINE));
    }

    /**
     * JFR's low-overhead "default" settings, but sampling every 10 ms (a catch-up lasts seconds) and every JIT compilation
     * recorded (threshold 0): where the compiler's CPU goes.
     */
    private String jfrSettings() {
        try {
            String jfc = Files.readString(Path.of(System.getProperty("java.home"), "lib", "jfr", "default.jfc"));
            jfc = jfc.replace("<setting name=\"period\" control=\"method-sampling-java-interval\">20 ms</setting>",
                            "<setting name=\"period\" control=\"method-sampling-java-interval\">10 ms</setting>")
                    .replace("<setting name=\"threshold\" control=\"compiler-compilation-threshold\">1000 ms</setting>",
                            "<setting name=\"threshold\" control=\"compiler-compilation-threshold\">0 ms</setting>");
            Path settings = out.resolve("catch-up.jfc");
            Files.writeString(settings, jfc);
            return settings.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts the contender's own Mongo-wire server with the unique indexes, then the contender, and times it to the verified final state. */
    private Result measure(Contender spec) throws Exception {
        ChildProcess mongo = mongoServer(spec.name + "-mongo");
        ChildProcess consumer = null;
        try {
            String uri = mongo.await("MONGO_READY", 60);
            try (MongoClient client = MongoClients.create(uri)) {
                MongoDatabase db = client.getDatabase(DATABASE);
                for (String collection : expected.keySet()) {
                    db.getCollection(collection).createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
                }
                Contender c = withServer(spec, uri);
                waitQuiet(spec.name, mongo);
                progress("starting " + c.label);
                double broker0 = kafka.cpuSeconds();
                double mongo0 = mongo.cpuSeconds();
                double bench0 = ChildProcess.cpuSeconds(ProcessHandle.current().pid());
                double machine0 = ChildProcess.machineBusySeconds();
                consumer = ChildProcess.java(c.name, c.command).environment(c.env).log(out.resolve(c.name + ".log"))
                        .watch(c.markers.toArray(String[]::new)).start();
                SecondHalf half = new SecondHalf(messages);
                consumer.onLine(half::line);
                long t0 = consumer.startNanos();
                FinalState probe = new FinalState(db, expected);
                Long firstDoc = null;
                FinalState.State state;
                long timeout = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("timeout-s", "600")));
                long lastReport = System.nanoTime();
                while (true) {
                    long at = System.nanoTime();
                    if (firstDoc == null) {
                        // until the first document: counts only, often, for a precise first-document time
                        if (probe.count() > 0) {
                            firstDoc = at;
                        }
                        state = null;
                    } else {
                        state = probe.check();
                        if (state.complete()) {
                            break;
                        }
                    }
                    if (!consumer.isAlive()) {
                        throw new IllegalStateException(c.name + " exited (" + consumer.exitValue() + "); log " + consumer.log()
                                + ":\n" + consumer.tail(30));
                    }
                    if (at - t0 > timeout) {
                        throw new IllegalStateException(c.name + " did not reach the final state in time: " + state + "; log " + consumer.log());
                    }
                    if (at - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                        progress(String.format(Locale.ROOT, "%s: %.0f s, %s", c.name, (at - t0) / 1e9, state == null ? "no document yet" : state));
                        lastReport = at;
                    }
                    long sleep = TimeUnit.MILLISECONDS.toNanos(firstDoc == null ? 50 : 250) - (System.nanoTime() - at);
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
                long done = System.nanoTime();
                double cpu = consumer.cpuSeconds();
                long rss = consumer.peakRssKb() / 1024;
                var threads = largestFirst(consumer.threadCpu());
                double brokerCpu = kafka.cpuSeconds() - broker0;
                double mongoCpu = mongo.cpuSeconds() - mongo0;
                double benchCpu = ChildProcess.cpuSeconds(ProcessHandle.current().pid()) - bench0;
                double others = (ChildProcess.machineBusySeconds() - machine0) - cpu - brokerCpu - mongoCpu - benchCpu;
                Map<String, Double> marks = new LinkedHashMap<>();
                for (String m : c.markers) {
                    Long seen = consumer.seen(m);
                    if (seen != null) {
                        marks.put(m, (seen - t0) / 1e9);
                    }
                }
                Result r = new Result(c, (done - t0) / 1e9, (firstDoc - t0) / 1e9, marks, half.rate(done),
                        cpu, SyncBenchmark.group(threads, "C1 CompilerThre", "C2 CompilerThre"), SyncBenchmark.group(threads, "GC Thread", "G1 ", "VM Thread"),
                        brokerCpu, mongoCpu, benchCpu, others / ((done - t0) / 1e9), rss, threads, state);
                progress(String.format(Locale.ROOT, "%s: final state after %.1f s (%.0f msg/s), first document after %.1f s; CPU %.1f s "
                                + "(JIT %.1f, GC %.1f), broker %.1f s, Mongo %.1f s; peak RSS %d MB; other processes %.2f cores",
                        c.name, r.done, r.rate(messages), r.firstDoc, cpu, r.jitCpu, r.gcCpu, brokerCpu, mongoCpu, rss, r.othersCores));
                return r;
            }
        } finally {
            if (consumer != null) {
                consumer.stop(30);
            }
            mongo.stop(20);
        }
    }

    /** The contender's command once its Mongo-wire server's address is known. */
    private Contender withServer(Contender c, String uri) {
        if (c.name.equals("sink")) {
            List<String> cmd = ConnectSink.arguments(c.env.get("name"), brokers, uri, DATABASE, topicCollections(),
                    freePort(), Integer.parseInt(c.env.get("maxPoll")), c.command, out.resolve("sink"));
            return new Contender(c.name, c.label, cmd, Map.of(), c.markers);
        }
        Map<String, String> env = new LinkedHashMap<>(c.env);
        env.put("LIMS_KAFKA_BROKERS", brokers);
        env.put("LIMS_MONGODB_URI", uri);
        return new Contender(c.name, c.label, c.command, env, c.markers);
    }

    private static Map<String, String> topicCollections() {
        Map<String, String> m = new LinkedHashMap<>();
        Workload.PLANTS.forEach(p -> m.put(p, AppDefaults.collection(p)));
        return m;
    }

    /** The warmed-up rate: records logged in "Applied batch" lines from the one that crossed half the backlog to the final state. */
    private static final class SecondHalf {
        private final int messages;
        private final AtomicLong logged = new AtomicLong();
        private volatile long halfAt;
        private volatile long halfRecords;

        SecondHalf(int messages) {
            this.messages = messages;
        }

        void line(String line) {
            Matcher m = APPLIED.matcher(line);
            if (m.find()) {
                long cumulative = logged.addAndGet(Long.parseLong(m.group(1)));
                if (cumulative >= messages / 2 && halfAt == 0) {
                    halfRecords = cumulative;
                    halfAt = System.nanoTime();
                }
            }
        }

        double rate(long done) {
            return halfAt == 0 || done <= halfAt ? Double.NaN : (messages - halfRecords) / ((done - halfAt) / 1e9);
        }
    }

    // ---------------------------------------------------------------- the ceiling

    /** On a fresh Mongo-wire server, warmed up by an unreported pass: the backlog's write mix, without any consumer. */
    private List<Ceilings.Figure> ceilings() throws Exception {
        ChildProcess mongo = mongoServer("ceiling-mongo");
        try (MongoClient client = MongoClients.create(mongo.await("MONGO_READY", 60))) {
            progress("ceiling: warming up the Mongo-wire server");
            int warm = Math.min(messages, 10_000);
            Ceilings.writeMix("warm-up", client, mongo, new Workload(seed(), imageBytes()), warm, 1000, true);
            Ceilings.writeMix("warm-up", client, mongo, new Workload(seed(), imageBytes()), warm, 1000, false);
            waitQuiet("ceiling", mongo);
            List<Ceilings.Figure> figures = new ArrayList<>();
            for (boolean inserts : new boolean[]{true, false}) {
                double machine0 = ChildProcess.machineBusySeconds();
                double ours0 = mongo.cpuSeconds() + ChildProcess.cpuSeconds(ProcessHandle.current().pid()) + kafka.cpuSeconds();
                long t0 = System.nanoTime();
                Ceilings.Figure f = Ceilings.writeMix("Mongo-wire server (memory)", client, mongo, new Workload(seed(), imageBytes()),
                        messages, 1000, inserts);
                double wall = (System.nanoTime() - t0) / 1e9;
                double ours = mongo.cpuSeconds() + ChildProcess.cpuSeconds(ProcessHandle.current().pid()) + kafka.cpuSeconds() - ours0;
                figures.add(f.withOthers((ChildProcess.machineBusySeconds() - machine0 - ours) / wall));
                progress(figures.get(figures.size() - 1).row());
            }
            return figures;
        } finally {
            mongo.stop(20);
        }
    }

    // ---------------------------------------------------------------- the report

    private void render(List<Result> results, List<Ceilings.Figure> ceilings) {
        say("## Side by side");
        say("");
        say("Each from its process start to the verified final state (every id exactly once at its last updated_at, "
                + "is_deleted and disease; polled every 250 ms, counts every 50 ms until the first document). "
                + "CPU in seconds (utime+stime): the consumer over its whole life, the broker and the consumer's Mongo-wire server "
                + "from the consumer's start; JIT = C1/C2 compiler threads, GC = GC and VM threads. 'others' = cores used by "
                + "processes outside the benchmark meanwhile (a shared machine).");
        say("");
        say("| consumer | final state s | msg/s | first doc s | msg/s after first doc | warmed up (2nd half) msg/s | consumer CPU s (JIT / GC) | µs CPU/msg | broker CPU s | Mongo CPU s | peak RSS MB | others' cores |");
        say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            say(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.1f | %.0f | %s | %.1f (%.1f / %.1f) | %.0f | %.1f | %.1f | %d | %.2f |",
                    r.contender.label, r.done, r.rate(messages), r.firstDoc, r.rateAfterFirstDoc(messages),
                    Double.isNaN(r.secondHalfRate) ? "-" : String.format(Locale.ROOT, "%.0f", r.secondHalfRate),
                    r.cpu, r.jitCpu, r.gcCpu, 1e6 * r.cpu / messages, r.brokerCpu, r.mongoCpu, r.peakRssMb, r.othersCores));
        }
        say("");
        Result sink = find(results, "sink");
        Result lims = find(results, "lims");
        if (sink != null && lims != null) {
            say(String.format(Locale.ROOT, "**Ratio lims-consumer / sink connector: %.2fx from process start, %.2fx after the first document; "
                            + "CPU %.2fx less.**", lims.rate(messages) / sink.rate(messages),
                    lims.rateAfterFirstDoc(messages) / sink.rateAfterFirstDoc(messages), sink.cpu / lims.cpu));
            say("");
        }
        say("Start-up marks (seconds from process start):");
        say("");
        for (Result r : results) {
            StringBuilder sb = new StringBuilder("- " + r.contender.name + ": first document " + String.format(Locale.ROOT, "%.2f", r.firstDoc));
            r.marks.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "; '%s' %.2f", k, v)));
            say(sb.toString());
        }
        say("");
        if (!ceilings.isEmpty()) {
            say("## The Mongo-wire server's own ceiling (warmed up, same write mix, no consumer)");
            say("");
            say("| what | messages | s | msg/s | server CPU s | others' cores | note |");
            say("|---|---:|---:|---:|---:|---:|---|");
            ceilings.forEach(f -> say(f.row()));
            say("");
            if (lims != null && !Double.isNaN(lims.secondHalfRate)) {
                say(String.format(Locale.ROOT, "lims-consumer warmed up (2nd half): %.0f msg/s = %.0f %% of the insert-for-absent ceiling, "
                                + "%.0f %% of the upsert-everything ceiling.", lims.secondHalfRate,
                        100 * lims.secondHalfRate / ceilings.get(0).rate(), 100 * lims.secondHalfRate / ceilings.get(1).rate()));
                say("");
            }
        }
        say("## Consumer CPU by thread (whole life, /proc/<pid>/task)");
        say("");
        for (Result r : results) {
            StringBuilder sb = new StringBuilder("- " + r.contender.name + ": ");
            int shown = 0;
            for (var e : r.threads) {
                if (shown++ == 10 || e.getValue() < 0.05) {
                    break;
                }
                sb.append(String.format(Locale.ROOT, "`%s` %.1f, ", e.getKey(), e.getValue()));
            }
            say(sb.substring(0, sb.length() - 2));
        }
        say("");
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.contender.name.equals(name)).findFirst().orElse(null);
    }

    // ---------------------------------------------------------------- helpers

    private long seed() {
        return Long.parseLong(options.getOrDefault("seed", "42"));
    }

    private int imageBytes() {
        return Integer.parseInt(options.getOrDefault("image-bytes", "16384"));
    }

    private List<String> listOption(String key) {
        String v = options.get(key);
        return v == null || v.isBlank() ? List.of() : List.of(v.split("\\|"));
    }

    /** A fresh Mongo-wire server (memory backend) as its own process. */
    private ChildProcess mongoServer(String name) {
        return ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedMongo", String.valueOf(freePort()))
                .jvmArgs("-Xmx2g").jvmArgs(listOption("mongo-jvm")).name(name).log(out.resolve(name + ".log")).watch("MONGO_READY").start();
    }

    private static List<Map.Entry<String, Double>> largestFirst(Map<String, Double> cpu) {
        List<Map.Entry<String, Double>> list = new ArrayList<>(cpu.entrySet());
        list.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return list;
    }

    /** Waits (at most --quiet-wait-s, 20 s) until processes outside the benchmark use under 0.3 cores, so a run does not start mid-build. */
    private void waitQuiet(String what, ChildProcess mongo) throws InterruptedException {
        long max = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("quiet-wait-s", "20")));
        long start = System.nanoTime();
        double others = 0;
        do {
            double m0 = ChildProcess.machineBusySeconds();
            double o0 = ours(mongo);
            Thread.sleep(2000);
            others = ((ChildProcess.machineBusySeconds() - m0) - (ours(mongo) - o0)) / 2.0;
            if (others < 0.3) {
                return;
            }
        } while (System.nanoTime() - start < max);
        progress(String.format(Locale.ROOT, "%s: other processes still use %.2f cores; measuring anyway", what, others));
    }

    private double ours(ChildProcess mongo) {
        return ChildProcess.cpuSeconds(ProcessHandle.current().pid()) + kafka.cpuSeconds() + mongo.cpuSeconds();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void say(String line) {
        System.out.println(line);
        System.out.flush();
        report.add(line);
    }

    private static void progress(String line) {
        System.out.println("  .. " + line);
        System.out.flush();
    }
}
