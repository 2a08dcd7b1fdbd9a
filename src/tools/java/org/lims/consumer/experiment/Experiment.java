package org.lims.consumer.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.lims.consumer.dev.sim.BatchSynchronizer;
import org.lims.consumer.dev.sim.Change;
import org.lims.consumer.dev.sim.ImageApi;
import org.lims.consumer.dev.sim.LeafImages;
import org.lims.consumer.dev.sim.LimsSimulator;
import org.lims.consumer.dev.sim.SimClock;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

/**
 * The batch-versus-stream experiment: the LIMS simulator runs for a simulated duration while
 * three strategies keep their own consumer database in sync with the producer database:
 * the batch DB synchronizer in full mode, in incremental mode, and lims-consumer (the real app,
 * in-process, consuming the plant topics). It reports bytes and images transferred, staleness
 * per change, the share of time each consumer database differed from the producer database, and
 * a record-by-record comparison at the end; it writes {@code report.md} and {@code chart.png}.
 *
 * <p>Time model: the LIMS schedules (job periods, the 600 s batch interval) run on simulated
 * time, sped up; work that takes real time (a batch copy, the stream's consume-and-write) is
 * measured on the wall clock and counted 1:1. A batch run happens inside the simulator's event
 * loop, so the producer database does not change under it.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:exec@experiment -Dexperiment.args="target/experiment --hours 2 --speedup 600 --rate 1"
 * </pre>
 */
public final class Experiment {

    public static final String STREAM_DB = "imagedbplantconsumer_stream";
    public static final String FULL_DB = "imagedbplantconsumer_batch_full";
    public static final String INCREMENTAL_DB = "imagedbplantconsumer_batch_incremental";

    /** What to run. */
    public record Config(Duration duration, double speedup, double rate, int seedPerPlant, long randomSeed, Path out, String topicPrefix,
            Map<String, String> appOverrides) {

        public Config(Duration duration, double speedup, double rate, int seedPerPlant, long randomSeed, Path out, String topicPrefix) {
            this(duration, speedup, rate, seedPerPlant, randomSeed, out, topicPrefix, Map.of());
        }

        public static Config parse(String[] args) {
            Path out = Path.of("target/experiment");
            Duration duration = Duration.ofHours(2);
            double speedup = 600;
            double rate = 1;
            int seed = 2000;
            long randomSeed = 42;
            Map<String, String> overrides = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--hours" -> duration = Duration.ofSeconds(Math.round(Double.parseDouble(args[++i]) * 3600));
                    case "--minutes" -> duration = Duration.ofSeconds(Math.round(Double.parseDouble(args[++i]) * 60));
                    case "--speedup" -> speedup = Double.parseDouble(args[++i]);
                    case "--rate" -> rate = Double.parseDouble(args[++i]);
                    case "--seed-per-plant" -> seed = Integer.parseInt(args[++i]);
                    case "--random-seed" -> randomSeed = Long.parseLong(args[++i]);
                    case "--app" -> {
                        String[] kv = args[++i].split("=", 2);
                        overrides.put(kv[0], kv[1]);
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a
                                    + "; usage: <out-dir> [--hours 2 | --minutes M] [--speedup 600] [--rate 1] [--seed-per-plant 2000] [--random-seed 42] [--app key=value]...");
                        }
                        out = Path.of(a);
                    }
                }
            }
            return new Config(duration, speedup, rate, seed, randomSeed, out, "", overrides);
        }
    }

    /** One strategy's figures. Times are simulated seconds; bytes and images exclude the initial load unless named so. */
    public static final class Strategy {
        public final String name;
        public long initialImages;
        public long initialBytes;
        public double initialWallSeconds;
        public long images;
        public long bytes;
        public final List<Double> staleness = new ArrayList<>();
        /** [change time, staleness], both in simulated seconds. */
        public final List<double[]> stalenessPoints = new ArrayList<>();
        /** [simulated seconds, cumulative bytes]. */
        public final List<double[]> cumulativeBytes = new ArrayList<>();
        public double differingShare;
        public int differingAtEnd;
        public boolean equalAtEnd;
        public Boolean equalAfterNextRun;
        public double meanRunWallSeconds;
        public int runs;

        Strategy(String name) {
            this.name = name;
        }

        public double percentile(double p) {
            if (staleness.isEmpty()) {
                return Double.NaN;
            }
            double[] sorted = staleness.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        public double max() {
            return staleness.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        public double bytesPerHour(Duration duration) {
            return bytes / (duration.toMillis() / 3_600_000.0);
        }
    }

    /** Everything the report says. */
    public static final class Result {
        public Config config;
        public Strategy full;
        public Strategy incremental;
        public Strategy stream;
        public long changes;
        public Map<String, Long> changesByJob;
        public int producerRecords;
        public long seedRecords;
        public long kafkaLagAtEnd;
        public double wallSeconds;
        public double averageImageBytes;
        public Path report;
        public Path chart;

        public List<Strategy> strategies() {
            return List.of(full, incremental, stream);
        }
    }

    private Experiment() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        quietLogs();
        Config config = Config.parse(args);
        System.out.printf(Locale.ROOT, "Experiment: %s simulated at %.0fx, job rate x%s, %d seed images per plant -> %s%n",
                config.duration(), config.speedup(), fmt(config.rate()), config.seedPerPlant(), config.out().toAbsolutePath());
        try {
            Result result = run(config);
            System.out.println(Files.readString(result.report));
            System.out.println("Chart: " + result.chart.toAbsolutePath());
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    static void quietLogs() {
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.lims.consumer.sync.batch", org.apache.logging.log4j.Level.WARN);
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.camel", org.apache.logging.log4j.Level.WARN);
    }

    public static Result run(Config config) throws Exception {
        long wallStart = System.nanoTime();
        LimsInfrastructure.start();
        String unique = "experiment-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        TestScope scope = new TestScope("experiment", config.topicPrefix(), STREAM_DB, "group-" + unique, unique + ".dlq");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Result result = new Result();
        result.config = config;
        Strategy full = new Strategy("batch, full");
        Strategy incremental = new Strategy("batch, incremental");
        Strategy stream = new Strategy("stream (lims-consumer)");
        result.full = full;
        result.incremental = incremental;
        result.stream = stream;
        LeafImages images = LeafImages.pool();
        result.averageImageBytes = images.averageBytes();

        try (MongoClient mongo = MongoClients.create(LimsInfrastructure.mongoUri())) {
            for (String db : List.of(ImageApi.PRODUCER_DATABASE, STREAM_DB, FULL_DB, INCREMENTAL_DB)) {
                mongo.getDatabase(db).drop();
            }
            SimClock clock = new SimClock(Instant.parse("2024-05-06T08:00:00Z"), config.speedup());
            Random random = new Random(config.randomSeed());
            // the app runs on its default plants and collections; the simulator publishes to the scope's topics
            Map<String, String> topics = new LinkedHashMap<>();
            Map<String, String> collections = new LinkedHashMap<>();
            for (String plant : TestScope.PLANTS) {
                topics.put(plant, scope.topic(plant));
                collections.put(plant, scope.collection(plant));
            }
            Map<String, String> app = new HashMap<>(scope.appProperties());
            app.put("lims.kafka.topic-prefix", config.topicPrefix());
            app.putAll(config.appOverrides());
            try (ImageApi api = new ImageApi(mongo, ImageApi.PRODUCER_DATABASE, LimsInfrastructure.brokers(), topics, clock, images, random);
                    LimsApp lims = LimsApp.start(app);
                    StreamWatcher watcher = new StreamWatcher(mongo.getDatabase(STREAM_DB), collections)) {
                LimsSimulator sim = new LimsSimulator(api, clock, config.rate(), random);

                // initial load: the seeded producer database reaches the stream consumer through Kafka
                long t0 = System.nanoTime();
                List<Change> seed = sim.seed(config.seedPerPlant());
                result.seedRecords = seed.size();
                stream.initialImages = seed.size();
                stream.initialBytes = seed.stream().mapToLong(Change::messageBytes).sum();
                awaitCount(mongo.getDatabase(STREAM_DB), collections.values(), seed.size(), Duration.ofMinutes(10));
                stream.initialWallSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "Seeded %d records; stream initial load took %.1f s%n", seed.size(), stream.initialWallSeconds);

                // from now on every change is tracked
                List<Change> changes = new ArrayList<>();
                List<Change> pendingFull = new ArrayList<>();
                List<Change> pendingIncremental = new ArrayList<>();
                long[] streamBytes = {0};
                api.addListener(c -> {
                    changes.add(c);
                    pendingFull.add(c);
                    pendingIncremental.add(c);
                    streamBytes[0] += c.messageBytes();
                    stream.cumulativeBytes.add(new double[] {c.simMs() / 1000.0, streamBytes[0]});
                    watcher.accept(c);
                });
                BatchSynchronizer fullSync = new BatchSynchronizer(mongo, collections, ImageApi.PRODUCER_DATABASE, FULL_DB, BatchSynchronizer.Mode.FULL);
                BatchSynchronizer incSync = new BatchSynchronizer(mongo, collections, ImageApi.PRODUCER_DATABASE, INCREMENTAL_DB,
                        BatchSynchronizer.Mode.INCREMENTAL);
                long end = config.duration().toMillis();
                sim.addTask("db-synchronizer", BatchSynchronizer.INTERVAL_MS, 0, t -> {
                    Instant snapshot = clock.lastStamp();
                    batchRun(fullSync, full, pendingFull, t, snapshot, t == 0);
                    batchRun(incSync, incremental, pendingIncremental, t, snapshot, t == 0);
                    System.out.printf(Locale.ROOT, "  t=%5.0f min: %d changes so far; batch run copied %d (full) / %d (incremental) images; stream pending %d%n",
                            t / 60000.0, changes.size(), fullSync.runs().get(fullSync.runs().size() - 1).images(),
                            incSync.runs().get(incSync.runs().size() - 1).images(), watcher.pending());
                });

                sim.runUntil(end);
                api.flush();
                boolean drained = watcher.awaitDrained(120_000);
                if (!drained) {
                    System.out.println("WARNING: the stream consumer did not reflect every change within 120 s");
                }
                result.changes = changes.size();
                result.changesByJob = new LinkedHashMap<>(api.counts());
                result.changesByJob.remove("seed");
                result.producerRecords = api.totalRecords();

                // stream figures
                for (StreamWatcher.Seen s : watcher.seen()) {
                    stream.staleness.add(s.stalenessMs() / 1000.0);
                    stream.stalenessPoints.add(new double[] {s.change().simMs() / 1000.0, s.stalenessMs() / 1000.0});
                }
                stream.images = changes.size();
                stream.bytes = streamBytes[0];
                stream.differingShare = differingShare(watcher.seen().stream()
                        .map(s -> new double[] {s.change().simMs(), s.change().simMs() + s.stalenessMs()}).toList(), end);
                try {
                    KafkaLag.awaitZero(scope, Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                    // reported below
                }
                result.kafkaLagAtEnd = KafkaLag.of(scope);

                // the record-by-record comparison at the end
                Map<String, Integer> differing = Comparison.differing(mongo, collections, List.of(STREAM_DB, FULL_DB, INCREMENTAL_DB));
                stream.differingAtEnd = differing.get(STREAM_DB);
                full.differingAtEnd = differing.get(FULL_DB);
                incremental.differingAtEnd = differing.get(INCREMENTAL_DB);
                for (Strategy s : result.strategies()) {
                    s.equalAtEnd = s.differingAtEnd == 0;
                }

                // changes made after the last run wait for the next scheduled one: it settles their staleness (its bytes fall outside the window)
                long next = ((end + BatchSynchronizer.INTERVAL_MS - 1) / BatchSynchronizer.INTERVAL_MS) * BatchSynchronizer.INTERVAL_MS;
                Instant snapshot = clock.lastStamp();
                settle(fullSync, full, pendingFull, next, snapshot);
                settle(incSync, incremental, pendingIncremental, next, snapshot);
                Map<String, Integer> after = Comparison.differing(mongo, collections, List.of(FULL_DB, INCREMENTAL_DB));
                full.equalAfterNextRun = after.get(FULL_DB) == 0;
                incremental.equalAfterNextRun = after.get(INCREMENTAL_DB) == 0;
                for (Strategy s : List.of(full, incremental)) {
                    s.differingShare = differingShare(s.stalenessPoints.stream()
                            .map(p -> new double[] {p[0] * 1000, (p[0] + p[1]) * 1000}).toList(), end);
                }
            }
        }
        result.wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        Files.createDirectories(config.out());
        result.chart = Chart.write(result, config.out().resolve("chart.png"));
        result.report = Report.write(result, config.out().resolve("report.md"));
        return result;
    }

    private static void batchRun(BatchSynchronizer sync, Strategy s, List<Change> pending, long t, Instant snapshot, boolean initial) {
        BatchSynchronizer.Run run = sync.run(t, snapshot);
        double wallSeconds = run.wallNanos() / 1e9;
        if (initial) {
            s.initialImages = run.images();
            s.initialBytes = run.bytes();
            s.initialWallSeconds = wallSeconds;
            s.cumulativeBytes.add(new double[] {t / 1000.0, 0});
        } else {
            s.images += run.images();
            s.bytes += run.bytes();
            s.meanRunWallSeconds = (s.meanRunWallSeconds * s.runs + wallSeconds) / (s.runs + 1);
            s.runs++;
            s.cumulativeBytes.add(new double[] {t / 1000.0 + wallSeconds, s.bytes});
        }
        for (Change c : pending) {
            double staleness = (t - c.simMs()) / 1000.0 + wallSeconds;
            s.staleness.add(staleness);
            s.stalenessPoints.add(new double[] {c.simMs() / 1000.0, staleness});
        }
        pending.clear();
    }

    private static void settle(BatchSynchronizer sync, Strategy s, List<Change> pending, long next, Instant snapshot) {
        BatchSynchronizer.Run run = sync.run(next, snapshot);
        for (Change c : pending) {
            double staleness = (next - c.simMs()) / 1000.0 + run.wallNanos() / 1e9;
            s.staleness.add(staleness);
            s.stalenessPoints.add(new double[] {c.simMs() / 1000.0, staleness});
        }
        pending.clear();
    }

    /** The share of [0, end) covered by the union of the intervals [from, to) (simulated ms). */
    static double differingShare(List<double[]> intervals, long end) {
        List<double[]> sorted = new ArrayList<>(intervals);
        sorted.sort((a, b) -> Double.compare(a[0], b[0]));
        double covered = 0;
        double curFrom = -1;
        double curTo = -1;
        for (double[] i : sorted) {
            double from = Math.max(0, i[0]);
            double to = Math.min(end, i[1]);
            if (to <= from) {
                continue;
            }
            if (from > curTo) {
                covered += curTo - curFrom;
                curFrom = from;
                curTo = to;
            } else {
                curTo = Math.max(curTo, to);
            }
        }
        covered += curTo - curFrom;
        return covered / end;
    }

    private static void awaitCount(MongoDatabase db, java.util.Collection<String> collections, long expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            long count = 0;
            for (String collection : collections) {
                count += db.getCollection(collection).countDocuments();
            }
            if (count >= expected) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the stream consumer did not load the " + expected + " seed records in " + timeout);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Record-by-record comparison of consumer databases with the producer database ({@code _id} aside), plant by plant. */
    static final class Comparison {

        private Comparison() {
        }

        /** @param collections the plants, each with its collection in the consumer databases */
        static Map<String, Integer> differing(MongoClient mongo, Map<String, String> collections, List<String> consumerDbs) {
            Map<String, Integer> result = new LinkedHashMap<>();
            consumerDbs.forEach(db -> result.put(db, 0));
            for (var plant : collections.entrySet()) {
                Map<Integer, Document> producer = new HashMap<>();
                for (Document d : mongo.getDatabase(ImageApi.PRODUCER_DATABASE).getCollection(ImageApi.collectionName(plant.getKey()))
                        .find().batchSize(100)) {
                    d.remove("_id");
                    producer.put(((Number) d.get("id")).intValue(), d);
                }
                for (String db : consumerDbs) {
                    int diff = 0;
                    int seen = 0;
                    for (Document d : mongo.getDatabase(db).getCollection(plant.getValue()).find().batchSize(100)) {
                        d.remove("_id");
                        Document p = producer.get(((Number) d.get("id")).intValue());
                        if (p == null || !sameRecord(p, d)) {
                            diff++;
                        }
                        if (p != null) {
                            seen++;
                        }
                    }
                    diff += producer.size() - seen;
                    result.merge(db, diff, Integer::sum);
                }
            }
            return result;
        }

        static boolean sameRecord(Document a, Document b) {
            if (!a.keySet().equals(b.keySet())) {
                return false;
            }
            for (String k : a.keySet()) {
                Object x = a.get(k);
                Object y = b.get(k);
                if (x instanceof Number n && y instanceof Number m) {
                    if (n.doubleValue() != m.doubleValue()) {
                        return false;
                    }
                } else if (x instanceof org.bson.types.Binary bx && y instanceof org.bson.types.Binary by) {
                    if (!Arrays.equals(bx.getData(), by.getData())) {
                        return false;
                    }
                } else if (!java.util.Objects.equals(x, y)) {
                    return false;
                }
            }
            return true;
        }
    }

    static void writeString(Path path, String text) {
        try {
            Files.writeString(path, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
