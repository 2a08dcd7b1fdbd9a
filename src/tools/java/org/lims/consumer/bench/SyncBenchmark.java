package org.lims.consumer.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.lims.consumer.testinfra.ChildProcess;

/**
 * End-to-end sync benchmark: a KRaft broker and a Mongo-wire server as separate processes, a
 * pre-produced backlog of LIMS messages, then the packaged app ({@code java -jar target/lims-consumer.jar})
 * in several modes, each with a fresh consumer group and database, timed until MongoDB holds the
 * expected final state of every record. Plus the raw ceilings (Mongo-wire insertMany, the app's
 * Mongo pattern, plain Kafka consume, the codec in-process) and a JFR profile of a bulk run.
 *
 * <pre>
 * ./mvnw -q -DskipTests package test-compile exec:exec@benchmark -Dbenchmark.args="--messages 20000"
 * </pre>
 *
 * Options: {@code --messages N} (20000), {@code --modes bulk,per-message,bulk-1000,h2,profile},
 * {@code --image-bytes 16384}, {@code --seed 42}, {@code --timeout-s 300} (per mode),
 * {@code --no-ceilings}, {@code --keep} (keep broker and JFR data),
 * {@code --out target/bench}, {@code --jar target/lims-consumer.jar}. An extra mode for experiments:
 * {@code custom:<name>:<jvm-arg>|<jvm-arg>...}, e.g. {@code custom:no-metrics:-Dcamel.metrics.enableRoutePolicy=false};
 * an argument {@code jar=<path>} runs another build of the app.
 * {@code --stall-s 45}: a mode without progress for that long fails (the others still run).
 * {@code --quiet-wait-s 60}, {@code --quiet-cores 0.15}: on a shared machine, wait for other processes to calm down before each mode.
 * {@code --side-by-side}: the catch-up against the MongoDB Kafka sink connector instead ({@link SideBySide}).
 * {@code --record-pipeline [--batches 40]}: the app's CPU per record between poll and bulk write, in-process
 * ({@link RecordPipeline}), in a child JVM with the container image's flags.
 * {@code --trickle [--messages 200] [--interval-ms 250]}: staleness at a trickle, the app in its own process ({@link Trickle}).
 */
public final class SyncBenchmark {

    private static final Pattern APPLIED = Pattern.compile("Applied batch: (\\d+) records");
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final String APPLIED_LINE = "Applied batch";
    private static final String SYNC_START_LINE = "starting sync-batch";
    private static final String EMBEDDED_KAFKA = "org.lims.consumer.dev.EmbeddedKafka";
    private static final String EMBEDDED_MONGO = "org.lims.consumer.dev.EmbeddedMongo";

    /** A way of running the app. */
    record Mode(String name, String description, List<String> jvmArgs, boolean h2, boolean profile) {
    }

    /** What one mode measured. */
    record Result(Mode mode, int messages, long valueBytes, double totalSeconds, double syncSeconds, double firstRecordSeconds,
                  double startupSeconds, double steadyRate, long peakRssKb, long heapPeakMb, long heapCommittedMb, double appCpu,
                  double appSyncCpu, double consumerCpu, double jitCpu, double gcCpu, double brokerCpu, double mongoCpu, double benchCpu,
                  double othersCores, long batches,
                  long loggedRecords, String note) {

        double mb() {
            return valueBytes / 1e6;
        }
    }

    private final Map<String, String> options;
    private final int messages;
    private final Path out;
    private final Path jar;
    private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"));
    private ChildProcess kafka;
    private ChildProcess mongo;
    private ChildProcess mongoH2;
    /** A second memory-backend server for the profiled mode, recording JFR from its launch (a JFR started later deoptimizes it). */
    private ChildProcess mongoJfr;
    private String mongoJfrUri;
    private String brokers;
    private String mongoUri;
    private String mongoH2Uri;
    private Workload workload;
    private Map<String, Map<Integer, Workload.Expected>> expected;
    private int expectedDocs;
    private final List<String> report = new ArrayList<>();

    private SyncBenchmark(Map<String, String> options) {
        this.options = options;
        this.messages = Integer.parseInt(options.getOrDefault("messages", "20000"));
        this.out = Path.of(options.getOrDefault("out", "target/bench")).toAbsolutePath().resolve("run-" + stamp);
        this.jar = Path.of(options.getOrDefault("jar", "target/lims-consumer.jar")).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        if (options.containsKey("side-by-side")) {
            SideBySide.main(options, args);
            return;
        }
        if (options.containsKey("trickle")) {
            Trickle.run(options);
            return;
        }
        if (options.containsKey("record-pipeline")) {
            Files.createDirectories(Path.of("target/bench"));
            Files.deleteIfExists(Path.of("target/bench/record-pipeline.log"));
            // warmed up, in one JVM: the class-data sharing archive, a start-up matter, plays no part
            List<String> command = new ArrayList<>(ImageJvmFlags.forJar(null));
            command.addAll(List.of("-Xmx1g", "-cp", ChildProcess.classpath(), RecordPipeline.class.getName(),
                    options.getOrDefault("batches", "40"), options.getOrDefault("image-bytes", "16384")));
            try (ChildProcess child = ChildProcess.java("record-pipeline", command).log(Path.of("target/bench/record-pipeline.log")).start()) {
                int exit = child.awaitExit(600);
                Files.readAllLines(Path.of("target/bench/record-pipeline.log")).stream()
                        .filter(line -> line.startsWith("Record pipeline") || line.startsWith("- ")).forEach(System.out::println);
                if (exit != 0) {
                    throw new IllegalStateException("record pipeline exited with " + exit);
                }
            }
            return;
        }
        SyncBenchmark bench = new SyncBenchmark(options);
        try {
            bench.run(args);
        } finally {
            bench.cleanup();
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(key, args[++i]);
            } else {
                options.put(key, "true");
            }
        }
        return options;
    }

    private static List<Mode> modes(String spec) {
        List<Mode> modes = new ArrayList<>();
        for (String name : spec.split(",")) {
            modes.add(switch (name.trim()) {
                case "bulk" -> new Mode("bulk", "defaults (application.properties): one find + one bulkWrite per collection per poll", List.of(), false, false);
                case "per-message" -> new Mode("per-message", "maxPollRecords=1: one record per batch, one write per record",
                        List.of("-Dcamel.component.kafka.maxPollRecords=1"), false, false);
                case "bulk-1000" -> new Mode("bulk-1000", "maxPollRecords=1000", List.of("-Dcamel.component.kafka.maxPollRecords=1000"), false, false);
                case "h2" -> new Mode("bulk-h2", "defaults, Mongo-wire server on the H2 backend (file)", List.of(), true, false);
                case "profile" -> new Mode("bulk-jfr", "defaults, with JFR (settings=profile) in the app, Mongo-wire server and broker",
                        List.of(), false, true);
                default -> {
                    String[] parts = name.trim().split(":", 3);
                    if (parts.length != 3 || !parts[0].equals("custom")) {
                        throw new IllegalArgumentException("unknown mode " + name + " (bulk, per-message, bulk-1000, h2, profile, custom:<name>:<jvm-args separated by |>)");
                    }
                    yield new Mode(parts[1], "defaults plus the JVM arguments shown", List.of(parts[2].split("\\|")), false, false);
                }
            });
        }
        return modes;
    }

    private void run(String[] args) throws Exception {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run 'package' first");
        }
        Files.createDirectories(out);
        List<Mode> modes = modes(options.getOrDefault("modes", "bulk,per-message,bulk-1000,h2,profile"));
        long benchStart = System.nanoTime();
        say("# lims-consumer sync benchmark, run " + stamp);
        say("");
        say("Command: `./mvnw -q -DskipTests package test-compile exec:exec@benchmark -Dbenchmark.args=\"" + String.join(" ", args) + "\"`");
        say("");
        say("Machine: " + machine());
        say("");

        startInfrastructure(modes.stream().anyMatch(Mode::h2), modes.stream().anyMatch(Mode::profile));
        produce();
        warmUp();
        List<Ceilings.Figure> figures = new ArrayList<>();
        String codec = "";
        if (!options.containsKey("no-ceilings")) {
            progress("ceilings: Mongo-wire server, Kafka consume, codec");
            figures = ceilings();
            codec = Ceilings.codecCost(workload);
        }

        List<Result> results = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        int index = 0;
        for (Mode mode : modes) {
            index++;
            try {
                results.add(runMode(mode, index, profiles));
            } catch (IllegalStateException e) {
                progress("mode " + mode.name + " FAILED: " + e.getMessage());
                say("Mode " + mode.name + " FAILED: " + e.getMessage().lines().findFirst().orElse("") + "\n");
                results.add(failed(mode, e.getMessage().lines().findFirst().orElse("")));
            }
        }

        say("## End-to-end results");
        say("");
        say("Messages: " + messages + " (" + workload.creates + " creates, " + workload.updates + " updates, " + workload.softDeletes
                + " soft deletes) of " + String.format(Locale.ROOT, "%.1f KB", workload.valueBytes / 1024.0 / messages)
                + " on average; " + expectedDocs + " records in the final state. MB = 10^6 value bytes. "
                + "'total' runs from the app's process start, 'sync' from its first applied batch, both until MongoDB holds every "
                + "expected final state (polled every 250 ms: document counts, then the projection {id, created_at, updated_at, is_deleted, disease} "
                + "of every collection compared with the expected state). '2nd half' is the rate over the second half of the records "
                + "(from the batch log line that crossed N/2 to completion): the warmed-up rate. 'sync route at' is when the app "
                + "logged the start of its Kafka route. CPU: utime+stime seconds; app over its lifetime (and from the sync route's start), "
                + "the others over the mode's window. 'others' cores': CPU used by processes outside the benchmark during the mode "
                + "(machine busy time from /proc/stat minus ours), averaged over the mode: anything above ~0.1 means a shared, "
                + "disturbed measurement (each mode first waits for a quiet machine). The app's CPU after its sync route started is split by "
                + "thread (/proc/<pid>/task): Camel threads (the Kafka consumer thread does the whole pipeline), the JIT compiler threads "
                + "and the GC threads; 'Camel CPU µs/msg' is the least load-sensitive efficiency figure.");
        say("");
        say("| mode | messages | MB | total s | msg/s | MB/s | sync s | sync msg/s | sync MB/s | 2nd half msg/s | sync route at s | first batch at s | peak RSS MB | heap peak MB | CPU s app (sync) / broker / mongo / bench | app sync CPU s: Camel threads / JIT / GC | Camel CPU µs/msg | others' cores | batches |");
        say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
        for (Result r : results) {
            say(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.0f | %.1f | %.1f | %.0f | %.1f | %.0f | %.1f | %.1f | %d | %s | %.1f (%.1f) / %.1f / %.1f / %.1f | %.1f / %.1f / %.1f | %.0f | %.2f | %d |%s",
                    r.mode.name, r.messages, r.mb(), r.totalSeconds, r.messages / r.totalSeconds, r.mb() / r.totalSeconds,
                    r.syncSeconds, r.messages / r.syncSeconds, r.mb() / r.syncSeconds, r.steadyRate, r.startupSeconds, r.firstRecordSeconds,
                    r.peakRssKb / 1024, r.heapPeakMb < 0 ? "?" : r.heapPeakMb + " (of " + r.heapCommittedMb + ")", r.appCpu, r.appSyncCpu,
                    r.brokerCpu, r.mongoCpu, r.benchCpu, r.consumerCpu, r.jitCpu, r.gcCpu, 1e6 * r.consumerCpu / r.messages, r.othersCores,
                    r.batches, r.note.isEmpty() ? "" : " " + r.note));
        }
        say("");
        for (Mode m : modes) {
            say("- " + m.name + ": " + m.description + (m.jvmArgs.isEmpty() ? "" : " (`" + String.join(" ", m.jvmArgs) + "`)"));
        }
        say("");

        if (!figures.isEmpty()) {
            reportCeilings(figures, codec, results);
        }
        say("## CPU by thread, per mode");
        say("");
        threadReports.forEach(this::say);
        for (String p : profiles) {
            say(p);
        }
        say(String.format(Locale.ROOT, "Benchmark wall time: %.0f s. Logs and data: %s", (System.nanoTime() - benchStart) / 1e9, out));
        Files.write(out.resolve("results.md"), report);
        System.out.println("\nReport written to " + out.resolve("results.md"));
    }

    private void say(String line) {
        System.out.println(line);
        System.out.flush();
        report.add(line);
    }

    private void progress(String line) {
        System.out.println("  .. " + line);
        System.out.flush();
    }

    // ---------------------------------------------------------------- infrastructure

    private void startInfrastructure(boolean withH2, boolean withJfr) throws Exception {
        int kafkaPort = freePort();
        int mongoPort = freePort();
        long t0 = System.nanoTime();
        kafka = ChildProcess.mainClass(EMBEDDED_KAFKA, String.valueOf(kafkaPort), out.resolve("kafka").toString(), "3",
                        String.join(",", Workload.PLANTS))
                .name("kafka").log(out.resolve("kafka.log")).start();
        mongo = ChildProcess.mainClass(EMBEDDED_MONGO, String.valueOf(mongoPort)).name("mongo").log(out.resolve("mongo.log")).start();
        if (withH2) {
            mongoH2 = ChildProcess.mainClass(EMBEDDED_MONGO, String.valueOf(freePort()), out.resolve("mongo-h2.mv").toString())
                    .name("mongo-h2").log(out.resolve("mongo-h2.log")).start();
        }
        if (withJfr) {
            mongoJfr = ChildProcess.mainClass(EMBEDDED_MONGO, String.valueOf(freePort())).jvmArgs("-XX:StartFlightRecording=name=bench,settings=profile")
                    .name("mongo-jfr").log(out.resolve("mongo-jfr.log")).start();
        }
        brokers = kafka.await("KAFKA_READY", 120);
        if (withJfr) {
            mongoJfrUri = mongoJfr.await("MONGO_READY", 60);
        }
        mongoUri = mongo.await("MONGO_READY", 60);
        if (withH2) {
            mongoH2Uri = mongoH2.await("MONGO_READY", 60);
        }
        progress(String.format(Locale.ROOT, "broker %s (pid %d), Mongo-wire server %s (pid %d)%s ready in %.1f s", brokers, kafka.pid(), mongoUri,
                mongo.pid(), withH2 ? ", H2 server " + mongoH2Uri + " (pid " + mongoH2.pid() + ")" : "", (System.nanoTime() - t0) / 1e9));
    }

    private void produce() throws Exception {
        workload = new Workload(Long.parseLong(options.getOrDefault("seed", "42")),
                Integer.parseInt(options.getOrDefault("image-bytes", "16384")));
        double cpu0 = kafka.cpuSeconds();
        double s = Backlog.produce(brokers, workload, messages);
        expected = workload.expected();
        expectedDocs = expected.values().stream().mapToInt(Map::size).sum();
        String line = String.format(Locale.ROOT, "Pre-produced %d messages (%.0f MB of values; %d creates, %d updates, %d soft deletes) in %.1f s "
                        + "(%.0f msg/s, broker CPU %.1f s); final state: %d records",
                messages, workload.valueBytes / 1e6, workload.creates, workload.updates, workload.softDeletes, s, messages / s,
                kafka.cpuSeconds() - cpu0, expectedDocs);
        progress(line);
        say(line + ".");
        say("");
    }

    // ---------------------------------------------------------------- one mode

    private Result runMode(Mode mode, int index, List<String> profiles) throws Exception {
        String group = "bench-" + stamp + "-" + index;
        String database = "bench_" + stamp + "_" + index;
        String uri = mode.h2 ? mongoH2Uri : mode.profile ? mongoJfrUri : mongoUri;
        ChildProcess server = mode.h2 ? mongoH2 : mode.profile ? mongoJfr : mongo;
        String prefix = index + "-" + mode.name;
        Path gcLog = out.resolve(prefix + "-gc.log");
        Path appJfr = out.resolve(prefix + "-app.jfr");
        Path mongoJfrFile = out.resolve(prefix + "-mongo.jfr");
        Path kafkaJfr = out.resolve(prefix + "-kafka.jfr");

        List<String> cmd = new ArrayList<>(List.of("-Xmx1g", "-Xlog:gc:file=" + gcLog));
        if (mode.profile) {
            cmd.add("-XX:StartFlightRecording=name=bench,filename=" + appJfr + ",settings=profile");
            cmd.add("-XX:FlightRecorderOptions=stackdepth=256");
            kafka.jcmd("JFR.start", "name=bench", "settings=profile");
        }
        Path appJar = jar;
        for (String arg : mode.jvmArgs) {
            if (arg.startsWith("jar=")) {
                appJar = Path.of(arg.substring(4)).toAbsolutePath();
            } else {
                cmd.add(arg);
            }
        }
        Map<String, String> env = Map.of("LIMS_KAFKA_BROKERS", brokers, "LIMS_MONGODB_URI", uri,
                "LIMS_HTTP_PORT", String.valueOf(freePort()), "LIMS_MANAGEMENT_PORT", String.valueOf(freePort()));

        progress("mode " + mode.name + ": starting the app (group " + group + ", database " + database + ")");
        double broker0 = kafka.cpuSeconds();
        double mongo0 = server.cpuSeconds();
        waitQuiet("mode " + mode.name);
        double bench0 = ChildProcess.cpuSeconds(ProcessHandle.current().pid());
        double ours0 = oursCpu();
        double machine0 = ChildProcess.machineBusySeconds();
        Map<String, Double> mongoThreads0 = ChildProcess.threadCpu(server.pid());
        Map<String, Double> kafkaThreads0 = ChildProcess.threadCpu(kafka.pid());
        Instant startInstant = Instant.now();
        ChildProcess app = ChildProcess.jar(appJar).name("app-" + mode.name).jvmArgs(cmd)
                .systemProperties(Map.of("lims.kafka.group-id", group, "lims.mongodb.database", database)).environment(env)
                .log(out.resolve(prefix + "-app.log")).watch(APPLIED_LINE, SYNC_START_LINE).start();
        AtomicLong batches = new AtomicLong();
        AtomicLong logged = new AtomicLong();
        AtomicLong halfAt = new AtomicLong();
        AtomicLong halfRecords = new AtomicLong();
        AtomicReference<Double> cpuAtSyncStart = new AtomicReference<>();
        AtomicReference<Map<String, Double>> appThreadsAtSyncStart = new AtomicReference<>();
        app.onLine(line -> {
            Matcher m = APPLIED.matcher(line);
            if (m.find()) {
                batches.incrementAndGet();
                long cumulative = logged.addAndGet(Long.parseLong(m.group(1)));
                if (cumulative >= messages / 2 && halfAt.get() == 0) {
                    halfRecords.set(cumulative);
                    halfAt.set(System.nanoTime());
                }
            } else if (line.contains(SYNC_START_LINE)) {
                cpuAtSyncStart.compareAndSet(null, app.cpuSeconds());
                appThreadsAtSyncStart.compareAndSet(null, ChildProcess.threadCpu(app.pid()));
            }
        });
        long t0 = app.startNanos();
        long timeout = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("timeout-s", "300")));
        long stall = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("stall-s", "45")));
        long lastProgressMark = -1;
        long lastProgressAt = System.nanoTime();
        Long firstPoll = null;
        long done;
        String note = "";
        try (MongoClient client = MongoClients.create(uri)) {
            FinalState probe = new FinalState(client.getDatabase(database), expected);
            long lastReport = System.nanoTime();
            while (true) {
                long pollAt = System.nanoTime();
                FinalState.State state = probe.check();
                if (firstPoll == null && state.docs() > 0) {
                    firstPoll = pollAt;
                }
                if (state.complete()) {
                    done = pollAt;
                    break;
                }
                if (!app.isAlive()) {
                    throw new IllegalStateException("the app exited (" + app.exitValue() + ") in mode " + mode.name + "; log "
                            + app.log() + ":\n" + app.tail(40));
                }
                if (pollAt - t0 > timeout) {
                    throw new IllegalStateException("mode " + mode.name + " did not complete within the timeout: " + state + "; log "
                            + app.log() + ":\n" + app.tail(20));
                }
                long progressMark = state.docs() * 1_000_003L + logged.get();
                if (progressMark != lastProgressMark) {
                    lastProgressMark = progressMark;
                    lastProgressAt = pollAt;
                } else if (state.docs() > 0 && pollAt - lastProgressAt > stall) {
                    throw new IllegalStateException("mode " + mode.name + " stalled (no new batch, no new document for "
                            + TimeUnit.NANOSECONDS.toSeconds(stall) + " s): " + state + ", " + logged.get() + " records logged; log " + app.log());
                }
                if (pollAt - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    progress(String.format(Locale.ROOT, "%s: %.0f s, %s, %d records in %d batches logged", mode.name, (pollAt - t0) / 1e9,
                            state, logged.get(), batches.get()));
                    lastReport = pollAt;
                }
                long sleep = TimeUnit.MILLISECONDS.toNanos(250) - (System.nanoTime() - pollAt);
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            Instant doneInstant = Instant.now();
            double appCpu = app.cpuSeconds();
            long rss = app.peakRssKb();
            double brokerCpu = kafka.cpuSeconds() - broker0;
            double mongoCpu = server.cpuSeconds() - mongo0;
            double benchCpu = ChildProcess.cpuSeconds(ProcessHandle.current().pid()) - bench0;
            double others = (ChildProcess.machineBusySeconds() - machine0) - (oursCpu() - ours0) - appCpu;
            var appThreads = threadCpuDelta(appThreadsAtSyncStart.get(), ChildProcess.threadCpu(app.pid()));
            var mongoThreads = threadCpuDelta(mongoThreads0, ChildProcess.threadCpu(server.pid()));
            var kafkaThreads = threadCpuDelta(kafkaThreads0, ChildProcess.threadCpu(kafka.pid()));
            threadReports.add(threadTable(prefix, appThreads, mongoThreads, kafkaThreads));
            if (mode.profile) {
                app.jcmd("JFR.dump", "name=bench", "filename=" + appJfr);
                server.jcmd("JFR.dump", "name=bench", "filename=" + mongoJfrFile);
                kafka.jcmd("JFR.stop", "name=bench", "filename=" + kafkaJfr);
            }
            app.stop(20);
            long[] heap = gcPeak(gcLog);
            Long applied = app.seen(APPLIED_LINE);
            Long syncStart = app.seen(SYNC_START_LINE);
            long first = Stream.of(applied, firstPoll).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder()).orElse(done);
            if (logged.get() < messages) {
                note = "(" + logged.get() + " records logged)";
            }
            double steady = halfAt.get() == 0 || done <= halfAt.get() ? Double.NaN
                    : (messages - halfRecords.get()) / ((done - halfAt.get()) / 1e9);
            double syncCpu = cpuAtSyncStart.get() == null ? Double.NaN : appCpu - cpuAtSyncStart.get();
            Result r = new Result(mode, messages, workload.valueBytes, (done - t0) / 1e9, (done - first) / 1e9, (first - t0) / 1e9,
                    syncStart == null ? -1 : (syncStart - t0) / 1e9, steady, rss, heap[0], heap[1], appCpu, syncCpu,
                    group(appThreads, "Camel"), group(appThreads, "C1 Compiler", "C2 Compiler"),
                    group(appThreads, "GC Thread", "G1 ", "VM Thread"), brokerCpu, mongoCpu,
                    benchCpu, others / ((done - t0) / 1e9), batches.get(), logged.get(), note);
            progress(String.format(Locale.ROOT, "%s: %.1f s total (%.0f msg/s), %.1f s from the first batch (%.0f msg/s), 2nd half %.0f msg/s; "
                            + "started sync after %.1f s; peak RSS %d MB; CPU app %.1f s (%.1f s after sync start), broker %.1f s, mongo %.1f s, "
                            + "bench %.1f s; other processes %.2f cores",
                    mode.name, r.totalSeconds, messages / r.totalSeconds, r.syncSeconds, messages / r.syncSeconds, steady, r.startupSeconds,
                    rss / 1024, appCpu, syncCpu, brokerCpu, mongoCpu, benchCpu, r.othersCores));
            if (mode.profile) {
                Instant from = syncStart == null ? startInstant : startInstant.plusNanos(syncStart - t0);
                profiles.add("## Profile (" + mode.name + "): where the time goes\n\nJFR `settings=profile`, samples between the start of the sync "
                        + "route and the moment MongoDB held the final state. Self time per category: the first non-JDK frame from the top decides. "
                        + String.format(Locale.ROOT, "CPU in that window: app %.1f s (whole life), broker %.1f s, Mongo-wire server %.1f s, benchmark %.1f s; "
                        + "wall %.1f s on %d cores.%n", appCpu, brokerCpu, mongoCpu, benchCpu, r.totalSeconds, Runtime.getRuntime().availableProcessors()));
                profiles.add(JfrSummary.read("App (lims-consumer.jar)", appJfr, from, doneInstant, JfrSummary.APP_STAGES).render(15));
                if (Files.exists(mongoJfrFile)) {
                    profiles.add(JfrSummary.read("Mongo-wire server (mongo-java-server, memory backend)", mongoJfrFile, from, doneInstant, Map.of()).render(15));
                }
                if (Files.exists(kafkaJfr)) {
                    profiles.add(JfrSummary.read("Kafka broker", kafkaJfr, from, doneInstant, Map.of()).render(10));
                }
            }
            return r;
        } finally {
            app.stop(20);
            try (MongoClient client = MongoClients.create(uri)) {
                client.getDatabase(database).drop();
            } catch (RuntimeException e) {
                progress("could not drop " + database + ": " + e.getMessage());
            }
        }
    }

    private final List<String> threadReports = new ArrayList<>();

    /** CPU seconds of the benchmark JVM and its long-lived children (broker, Mongo-wire servers); the app is counted separately. */
    private double oursCpu() {
        double sum = ChildProcess.cpuSeconds(ProcessHandle.current().pid());
        for (ChildProcess c : new ChildProcess[]{kafka, mongo, mongoH2, mongoJfr}) {
            if (c != null) {
                sum += Math.max(0, c.cpuSeconds());
            }
        }
        return sum;
    }

    /**
     * The machine may be shared: waits (up to --quiet-wait-s, 60 s) until processes outside the benchmark use less than
     * --quiet-cores (0.15) cores over 5 s, so that a mode does not start in the middle of someone else's build.
     */
    private void waitQuiet(String what) throws InterruptedException {
        long max = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("quiet-wait-s", "60")));
        double limit = Double.parseDouble(options.getOrDefault("quiet-cores", "0.15"));
        long start = System.nanoTime();
        double others = 0;
        while (System.nanoTime() - start < max) {
            double m0 = ChildProcess.machineBusySeconds();
            double o0 = oursCpu();
            Thread.sleep(5000);
            others = ((ChildProcess.machineBusySeconds() - m0) - (oursCpu() - o0)) / 5.0;
            if (others < limit) {
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(6)) {
                    progress(String.format(Locale.ROOT, "%s: machine quiet after %.0f s", what, (System.nanoTime() - start) / 1e9));
                }
                return;
            }
            progress(String.format(Locale.ROOT, "%s: other processes use %.2f cores, waiting for a quiet machine", what, others));
        }
        progress(String.format(Locale.ROOT, "%s: machine still busy (others %.2f cores) after %d s; measuring anyway (see the 'others' column)",
                what, others, TimeUnit.NANOSECONDS.toSeconds(max)));
    }

    /** CPU seconds of the thread groups whose name starts with one of {@code prefixes}. */
    static double group(List<Map.Entry<String, Double>> threads, String... prefixes) {
        double sum = 0;
        for (Map.Entry<String, Double> e : threads) {
            for (String p : prefixes) {
                if (e.getKey().startsWith(p)) {
                    sum += e.getValue();
                    break;
                }
            }
        }
        return sum;
    }

    private Result failed(Mode mode, String why) {
        return new Result(mode, messages, workload.valueBytes, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, -1, -1,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0,
                "FAILED: " + why);
    }

    /** CPU seconds per thread group of the app (from its sync route's start), the Mongo-wire server and the broker (from the app's start). */
    private static String threadTable(String mode, List<Map.Entry<String, Double>> app, List<Map.Entry<String, Double>> mongo,
                                      List<Map.Entry<String, Double>> kafka) {
        StringBuilder sb = new StringBuilder();
        sb.append("#### CPU seconds by thread (").append(mode).append("), from /proc/<pid>/task/*/stat\n\n");
        sb.append("| app thread (from sync start) | CPU s | Mongo-wire server thread | CPU s | broker thread | CPU s |\n|---|---:|---|---:|---|---:|\n");
        for (int i = 0; i < 8; i++) {
            sb.append(cell(app, i)).append(cell(mongo, i)).append(cell(kafka, i)).append("|\n");
        }
        sb.append(String.format(Locale.ROOT, "| total | %.1f | total | %.1f | total | %.1f |%n", sum(app), sum(mongo), sum(kafka)));
        return sb.toString();
    }

    private static String cell(List<Map.Entry<String, Double>> list, int i) {
        return i < list.size() && list.get(i).getValue() >= 0.05
                ? String.format(Locale.ROOT, "| `%s` | %.1f ", list.get(i).getKey(), list.get(i).getValue()) : "| | ";
    }

    private static double sum(List<Map.Entry<String, Double>> list) {
        return list.stream().mapToDouble(Map.Entry::getValue).sum();
    }

    /** Peak heap used before a GC and peak committed heap, in MB, from a -Xlog:gc file. */
    private static long[] gcPeak(Path gcLog) {
        long used = -1;
        long committed = -1;
        try {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    used = Math.max(used, Long.parseLong(m.group(1)));
                    committed = Math.max(committed, Long.parseLong(m.group(3)));
                }
            }
        } catch (IOException e) {
            // no GC log
        }
        return new long[]{used, committed};
    }

    // ---------------------------------------------------------------- ceilings

    /** Unreported: brings the Mongo-wire server(s) to a JIT-compiled steady state, as a long-running server would be. */
    private void warmUp() {
        long t0 = System.nanoTime();
        int docs = Math.min(messages, 6000);
        try (MongoClient client = MongoClients.create(mongoUri)) {
            Ceilings.insertMany("warm-up", client, mongo, workload, docs, 500, true);
            Ceilings.appPattern("warm-up", client, mongo, workload, docs, 500);
        }
        if (mongoH2 != null) {
            try (MongoClient client = MongoClients.create(mongoH2Uri)) {
                Ceilings.insertMany("warm-up", client, mongoH2, workload, docs / 3, 500, true);
                Ceilings.appPattern("warm-up", client, mongoH2, workload, docs / 3, 500);
            }
        }
        if (mongoJfr != null) {
            try (MongoClient client = MongoClients.create(mongoJfrUri)) {
                Ceilings.insertMany("warm-up", client, mongoJfr, workload, docs, 500, true);
                Ceilings.appPattern("warm-up", client, mongoJfr, workload, docs, 500);
            }
        }
        progress(String.format(Locale.ROOT, "warmed up the Mongo-wire server(s) in %.1f s", (System.nanoTime() - t0) / 1e9));
    }

    private List<Ceilings.Figure> ceilings() throws InterruptedException {
        waitQuiet("ceilings");
        int docs = messages;
        List<Ceilings.Figure> figures = new ArrayList<>();
        try (MongoClient client = MongoClients.create(mongoUri)) {
            figures.add(measured(() -> Ceilings.insertMany("memory", client, mongo, workload, docs, 500, false)));
            figures.add(measured(() -> Ceilings.insertMany("memory", client, mongo, workload, docs, 500, true)));
            figures.add(measured(() -> Ceilings.appPattern("memory", client, mongo, workload, docs, 500)));
        }
        if (mongoH2 != null) {
            try (MongoClient client = MongoClients.create(mongoH2Uri)) {
                figures.add(measured(() -> Ceilings.insertMany("H2", client, mongoH2, workload, docs, 500, false)));
                figures.add(measured(() -> Ceilings.appPattern("H2", client, mongoH2, workload, docs / 4, 500)));
            }
        }
        figures.add(measured(() -> Ceilings.rawConsume(brokers, kafka, messages)));
        figures.forEach(f -> progress(f.row()));
        return figures;
    }

    /** Runs a ceiling measurement and notes how many cores other processes used meanwhile. */
    private Ceilings.Figure measured(java.util.function.Supplier<Ceilings.Figure> measurement) {
        double machine0 = ChildProcess.machineBusySeconds();
        double ours0 = oursCpu();
        long t0 = System.nanoTime();
        Ceilings.Figure f = measurement.get();
        double wall = (System.nanoTime() - t0) / 1e9;
        return f.withOthers(((ChildProcess.machineBusySeconds() - machine0) - (oursCpu() - ours0)) / wall);
    }

    private void reportCeilings(List<Ceilings.Figure> figures, String codec, List<Result> results) {
        say("## Ceilings (no app) on this machine");
        say("");
        say("Measured before the modes, from the benchmark JVM, on warmed-up servers. Each Mongo figure uses a fresh database.");
        say("");
        say("| what | messages | s | msg/s | server CPU s | others' cores | note |");
        say("|---|---:|---:|---:|---:|---:|---|");
        figures.forEach(f -> say(f.row()));
        say("");
        say(codec + ".");
        say("");
        double ceiling = figures.get(0).rate();
        Result bulk = results.stream().filter(r -> r.mode.name.equals("bulk")).findFirst().orElse(results.get(0));
        double bulkSync = bulk.messages / bulk.syncSeconds;
        double bulkTotal = bulk.messages / bulk.totalSeconds;
        say(String.format(Locale.ROOT, "Our %s mode: %.0f msg/s from the first batch, %.0f msg/s from process start, %.0f msg/s warmed up (2nd half) "
                        + "= %.0f %% / %.0f %% / %.0f %% of the Mongo-wire insertMany ceiling measured here (%.0f msg/s); %.0f %% / %.0f %% / %.0f %% "
                        + "of the app's own Mongo pattern without the app (%.0f msg/s); against the MongoDB Kafka sink connector figure of the "
                        + "stack notes (820-940 msg/s): %.2f-%.2fx / %.2f-%.2fx / %.2f-%.2fx.",
                bulk.mode.name, bulkSync, bulkTotal, bulk.steadyRate,
                100 * bulkSync / ceiling, 100 * bulkTotal / ceiling, 100 * bulk.steadyRate / ceiling, ceiling,
                100 * bulkSync / figures.get(2).rate(), 100 * bulkTotal / figures.get(2).rate(), 100 * bulk.steadyRate / figures.get(2).rate(),
                figures.get(2).rate(),
                bulkSync / 940, bulkSync / 820, bulkTotal / 940, bulkTotal / 820, bulk.steadyRate / 940, bulk.steadyRate / 820));
        say("");
    }

    // ---------------------------------------------------------------- helpers

    static String machine() {
        String cpu = "?";
        String mem = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
            mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> l.replaceAll("\\D+", "")).map(kb -> (Long.parseLong(kb) / 1024 / 1024) + " GB").findFirst().orElse("?");
        } catch (IOException e) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + mem + " RAM, Java "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    /** {@code after - before} per thread group, largest first. */
    private static List<Map.Entry<String, Double>> threadCpuDelta(Map<String, Double> before, Map<String, Double> after) {
        List<Map.Entry<String, Double>> delta = new ArrayList<>();
        after.forEach((k, v) -> delta.add(Map.entry(k, v - (before == null ? 0 : before.getOrDefault(k, 0.0)))));
        delta.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return delta;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private void cleanup() {
        for (ChildProcess c : new ChildProcess[]{kafka, mongo, mongoH2, mongoJfr}) {
            if (c != null) {
                c.stop(20);
            }
        }
        if (!options.containsKey("keep")) {
            deleteTree(out.resolve("kafka"));
            deleteTree(out.resolve("mongo-h2.mv"));
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(SyncBenchmark::deleteQuietly);
        } catch (IOException e) {
            // best effort
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }
}
