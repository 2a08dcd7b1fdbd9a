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
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.lims.consumer.dev.sim.BatchSynchronizer;
import org.lims.consumer.dev.sim.Change;
import org.lims.consumer.dev.sim.ImageApi;
import org.lims.consumer.dev.sim.LeafImages;
import org.lims.consumer.dev.sim.LimsSimulator;
import org.lims.consumer.dev.sim.SimClock;
import org.lims.consumer.reconcile.ReconcileRun;
import org.lims.consumer.testinfra.KafkaLag;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

/**
 * The batch-versus-stream experiment: the LIMS simulator runs for a simulated duration while
 * four strategies keep their own consumer database in sync with the producer database:
 * the batch DB synchronizer in full mode, in incremental mode, lims-consumer (the real app,
 * in-process, consuming the plant topics), and lims-consumer with reconciliation against the
 * producer database every 600 simulated seconds (a second instance, its own group and database).
 * With {@code --lose-publishes 0.02} the simulated Image API loses that share of its Kafka publishes
 * (after the seed): the stream alone diverges, reconciliation heals. It reports bytes and images transferred, staleness
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
    public static final String RECONCILE_DB = "imagedbplantconsumer_stream_reconcile";
    /** The reconciliation interval, on the simulated clock like the batch job's. */
    public static final long RECONCILE_INTERVAL_MS = BatchSynchronizer.INTERVAL_MS;

    /** What to run. */
    public record Config(Duration duration, double speedup, double rate, int seedPerPlant, long randomSeed, Path out, String topicPrefix,
            Map<String, String> appOverrides, double lostPublishShare) {

        public Config(Duration duration, double speedup, double rate, int seedPerPlant, long randomSeed, Path out, String topicPrefix) {
            this(duration, speedup, rate, seedPerPlant, randomSeed, out, topicPrefix, Map.of(), 0);
        }

        public Config(Duration duration, double speedup, double rate, int seedPerPlant, long randomSeed, Path out, String topicPrefix,
                Map<String, String> appOverrides) {
            this(duration, speedup, rate, seedPerPlant, randomSeed, out, topicPrefix, appOverrides, 0);
        }

        /** The same run with the Image API losing {@code share} of its publishes. */
        public Config losingPublishes(double share) {
            return new Config(duration, speedup, rate, seedPerPlant, randomSeed, out, topicPrefix, appOverrides, share);
        }

        public static Config parse(String[] args) {
            Path out = Path.of("target/experiment");
            Duration duration = Duration.ofHours(2);
            double speedup = 600;
            double rate = 1;
            int seed = 2000;
            long randomSeed = 42;
            double lost = 0;
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
                    case "--lose-publishes" -> lost = Double.parseDouble(args[++i]);
                    case "--app" -> {
                        String[] kv = args[++i].split("=", 2);
                        overrides.put(kv[0], kv[1]);
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a
                                    + "; usage: <out-dir> [--hours 2 | --minutes M] [--speedup 600] [--rate 1] [--seed-per-plant 2000] [--random-seed 42] [--lose-publishes 0.02] [--app key=value]...");
                        }
                        out = Path.of(a);
                    }
                }
            }
            return new Config(duration, speedup, rate, seed, randomSeed, out, "", overrides, lost);
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
        /** Changes the strategy's database never came to reflect within the run (lost publishes the stream alone never gets). */
        public int notReflected;

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

    /** What reconciliation did in the "stream + reconciliation" strategy. */
    public static final class Reconciliation {
        public int runs;
        public long bytesRead;
        public long repaired;
        public double meanRunWallSeconds;
        public double maxRunWallSeconds;
        /** Lost changes healed by a run (not by a later change of the same record), and the longest such staleness (simulated s). */
        public int healedByRun;
        public double maxHealSeconds;
        double lastRunWallSeconds;

        double lastRunWallSeconds() {
            return lastRunWallSeconds;
        }
    }

    /** Everything the report says. */
    public static final class Result {
        public Config config;
        public Strategy full;
        public Strategy incremental;
        public Strategy stream;
        public Strategy streamReconcile;
        public Reconciliation reconciliation;
        public long changes;
        /** Publishes the Image API lost; of those, the ones no later change of the same record superseded. */
        public long lostPublishes;
        public long lostNotSuperseded;
        public Map<String, Long> changesByJob;
        public int producerRecords;
        public long seedRecords;
        public long kafkaLagAtEnd;
        public double wallSeconds;
        public double averageImageBytes;
        public Path report;
        public Path chart;

        public List<Strategy> strategies() {
            return List.of(full, incremental, stream, streamReconcile);
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
        TestScope reconcileScope = new TestScope("experiment-reconcile", config.topicPrefix(), RECONCILE_DB, "group-" + unique + "-reconcile",
                unique + "-reconcile.dlq");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Result result = new Result();
        result.config = config;
        Strategy full = new Strategy("batch, full");
        Strategy incremental = new Strategy("batch, incremental");
        Strategy stream = new Strategy("stream (lims-consumer)");
        Strategy streamReconcile = new Strategy("stream + reconciliation every 600 s");
        Reconciliation reconciliation = new Reconciliation();
        result.full = full;
        result.incremental = incremental;
        result.stream = stream;
        result.streamReconcile = streamReconcile;
        result.reconciliation = reconciliation;
        LeafImages images = LeafImages.pool();
        result.averageImageBytes = images.averageBytes();

        try (MongoClient mongo = MongoClients.create(LimsInfrastructure.mongoUri())) {
            for (String db : List.of(ImageApi.PRODUCER_DATABASE, STREAM_DB, FULL_DB, INCREMENTAL_DB, RECONCILE_DB)) {
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
            try (ImageApi api = new ImageApi(mongo, ImageApi.PRODUCER_DATABASE, LimsInfrastructure.brokers(), topics, clock, images, random);
                    LimsApp lims = LimsApp.start(appProperties(scope, config, false));
                    LimsApp limsReconcile = LimsApp.start(appProperties(reconcileScope, config, true));
                    StreamWatcher watcher = new StreamWatcher(mongo.getDatabase(STREAM_DB), collections);
                    StreamWatcher reconcileWatcher = new StreamWatcher(mongo.getDatabase(RECONCILE_DB), collections)) {
                LimsSimulator sim = new LimsSimulator(api, clock, config.rate(), random);
                ProducerTemplate reconcile = limsReconcile.context().createProducerTemplate();
                // the start-up run is over (on an empty producer database) once a run of our own gets the slot
                reconcileNow(reconcile);

                // initial load: the seeded producer database reaches the stream consumers through Kafka
                long t0 = System.nanoTime();
                List<Change> seed = sim.seed(config.seedPerPlant());
                result.seedRecords = seed.size();
                for (Strategy s : List.of(stream, streamReconcile)) {
                    s.initialImages = seed.size();
                    s.initialBytes = seed.stream().mapToLong(Change::messageBytes).sum();
                }
                awaitCount(mongo.getDatabase(STREAM_DB), collections.values(), seed.size(), Duration.ofMinutes(10));
                stream.initialWallSeconds = (System.nanoTime() - t0) / 1e9;
                awaitCount(mongo.getDatabase(RECONCILE_DB), collections.values(), seed.size(), Duration.ofMinutes(10));
                streamReconcile.initialWallSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "Seeded %d records; stream initial load took %.1f s%n", seed.size(), stream.initialWallSeconds);
                if (config.lostPublishShare() > 0) {
                    // a generator of its own: the jobs draw the same changes as in a run without the fault
                    api.losePublishes(config.lostPublishShare(), new Random(config.randomSeed() + 1));
                }

                // from now on every change is tracked
                List<Change> changes = new ArrayList<>();
                List<Change> pendingFull = new ArrayList<>();
                List<Change> pendingIncremental = new ArrayList<>();
                List<Change> pendingLost = new ArrayList<>();
                Map<Change, Double> healedByRun = new HashMap<>();
                long[] streamBytes = {0};
                api.addListener(c -> {
                    changes.add(c);
                    pendingFull.add(c);
                    pendingIncremental.add(c);
                    if (c.lost()) {
                        pendingLost.add(c);
                        return;
                    }
                    streamBytes[0] += c.messageBytes();
                    stream.cumulativeBytes.add(new double[] {c.simMs() / 1000.0, streamBytes[0]});
                    streamReconcile.cumulativeBytes.add(new double[] {c.simMs() / 1000.0, streamBytes[0] + reconciliation.bytesRead});
                    watcher.accept(c);
                    reconcileWatcher.accept(c);
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
                sim.addTask("reconciliation", RECONCILE_INTERVAL_MS, RECONCILE_INTERVAL_MS, t -> {
                    reconcileRun(reconcile, reconciliation, streamReconcile, t, streamBytes[0]);
                    healed(mongo.getDatabase(RECONCILE_DB), pendingLost, healedByRun, t, reconciliation.lastRunWallSeconds());
                });

                sim.runUntil(end);
                api.flush();
                for (StreamWatcher w : List.of(watcher, reconcileWatcher)) {
                    if (!w.awaitDrained(120_000)) {
                        System.out.println("WARNING: a stream consumer did not reflect every published change within 120 s");
                    }
                }
                result.changes = changes.size();
                result.changesByJob = new LinkedHashMap<>(api.counts());
                result.changesByJob.remove("seed");
                result.producerRecords = api.totalRecords();
                List<Change> lost = changes.stream().filter(Change::lost).toList();
                result.lostPublishes = lost.size();

                stream.images = changes.size() - lost.size();
                stream.bytes = streamBytes[0];
                streamReconcile.images = stream.images + reconciliation.repaired;
                streamReconcile.bytes = streamBytes[0] + reconciliation.bytesRead;
                try {
                    KafkaLag.awaitZero(scope, Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                    // reported below
                }
                result.kafkaLagAtEnd = KafkaLag.of(scope);

                // the record-by-record comparison at the end
                Map<String, Integer> differing = Comparison.differing(mongo, collections,
                        List.of(STREAM_DB, FULL_DB, INCREMENTAL_DB, RECONCILE_DB));
                stream.differingAtEnd = differing.get(STREAM_DB);
                full.differingAtEnd = differing.get(FULL_DB);
                incremental.differingAtEnd = differing.get(INCREMENTAL_DB);
                streamReconcile.differingAtEnd = differing.get(RECONCILE_DB);
                for (Strategy s : result.strategies()) {
                    s.equalAtEnd = s.differingAtEnd == 0;
                }

                // changes made after the last run wait for the next scheduled one: it settles their staleness (its bytes fall outside the window)
                long next = ((end + BatchSynchronizer.INTERVAL_MS - 1) / BatchSynchronizer.INTERVAL_MS) * BatchSynchronizer.INTERVAL_MS;
                Instant snapshot = clock.lastStamp();
                settle(fullSync, full, pendingFull, next, snapshot);
                settle(incSync, incremental, pendingIncremental, next, snapshot);
                ReconcileRun settling = reconcileNow(reconcile);
                Map<String, Integer> after = Comparison.differing(mongo, collections, List.of(FULL_DB, INCREMENTAL_DB, RECONCILE_DB));
                full.equalAfterNextRun = after.get(FULL_DB) == 0;
                incremental.equalAfterNextRun = after.get(INCREMENTAL_DB) == 0;
                if (!streamReconcile.equalAtEnd) {
                    streamReconcile.equalAfterNextRun = after.get(RECONCILE_DB) == 0;
                }
                System.out.println("Reconciliation at the next interval, outside the window: " + settling.summary());
                healed(mongo.getDatabase(RECONCILE_DB), pendingLost, healedByRun, next, settling.seconds());

                // stream figures: the published changes as the watchers saw them, a lost change when something healed it
                streamFigures(stream, changes, watcher.seen(), Map.of(), end);
                double[] byRun = streamFigures(streamReconcile, changes, reconcileWatcher.seen(), healedByRun, end);
                result.lostNotSuperseded = stream.notReflected;
                reconciliation.healedByRun = (int) byRun[0];
                reconciliation.maxHealSeconds = byRun[1];
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

    /** One lims-consumer instance's settings; the reconciling one reads the producer database when the experiment says so. */
    private static Map<String, String> appProperties(TestScope scope, Config config, boolean reconcile) {
        Map<String, String> app = new HashMap<>(scope.appProperties());
        app.put("lims.kafka.topic-prefix", config.topicPrefix());
        app.putAll(config.appOverrides());
        if (reconcile) {
            app.put("lims.producer.mongodb.uri", LimsInfrastructure.mongoUri());
            app.put("lims.producer.mongodb.database", ImageApi.PRODUCER_DATABASE);
            // runs come on the simulated clock (every 600 simulated s), from the experiment, not from the app's own timer
            app.put("lims.reconcile.interval-s", String.valueOf(365L * 24 * 3600));
        }
        return app;
    }

    /** A run of the reconciling instance, now (after the one in progress, if any). */
    static ReconcileRun reconcileNow(ProducerTemplate template) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 600_000;
        while (System.currentTimeMillis() < deadline) {
            ReconcileRun run = template.requestBody("direct:reconcile", null, ReconcileRun.class);
            if (run != null) {
                if (!run.succeeded()) {
                    throw new IllegalStateException("reconciliation failed: " + run.failure());
                }
                return run;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no reconciliation run within 600 s");
    }

    /** A scheduled run inside the simulator's loop: the producer database does not change under it, its wall time counts 1:1. */
    private static void reconcileRun(ProducerTemplate template, Reconciliation r, Strategy s, long t, long streamBytesSoFar) {
        ReconcileRun run;
        try {
            run = reconcileNow(template);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        r.meanRunWallSeconds = (r.meanRunWallSeconds * r.runs + run.seconds()) / (r.runs + 1);
        r.maxRunWallSeconds = Math.max(r.maxRunWallSeconds, run.seconds());
        r.runs++;
        r.bytesRead += run.totalBytesRead();
        r.repaired += run.repaired();
        r.lastRunWallSeconds = run.seconds();
        s.cumulativeBytes.add(new double[] {t / 1000.0 + run.seconds(), streamBytesSoFar + r.bytesRead});
        System.out.printf(Locale.ROOT, "  t=%5.0f min: reconciliation: %s%n", t / 60000.0, run.summary());
    }

    /** Lost changes the run at {@code t} made the database reflect: their staleness, as for a batch run. */
    private static void healed(MongoDatabase db, List<Change> pendingLost, Map<Change, Double> healedByRun, long t, double runWallSeconds) {
        for (java.util.Iterator<Change> it = pendingLost.iterator(); it.hasNext();) {
            Change c = it.next();
            Document stored = db.getCollection(ImageApi.collectionName(c.plant())).find(com.mongodb.client.model.Filters.eq("id", c.id())).first();
            java.util.Date v = stored == null ? null : ImageApi.version(stored);
            if (v != null && v.getTime() >= c.versionMs()) {
                healedByRun.put(c, (t - c.simMs()) / 1000.0 + runWallSeconds);
                it.remove();
            }
        }
    }

    /**
     * Staleness per change of a stream strategy. A published change: as its watcher measured it. A lost
     * change: healed by the first later published change of the same record (that change's time plus
     * its staleness) or by a reconciliation run, whichever came first; else never reflected.
     *
     * @return how many lost changes a run healed first, and the longest staleness among them (s)
     */
    private static double[] streamFigures(Strategy s, List<Change> changes, List<StreamWatcher.Seen> seen, Map<Change, Double> healedByRun,
            long end) {
        double[] byRun = {0, 0};
        Map<Long, Double> seenBySeq = new HashMap<>();
        for (StreamWatcher.Seen x : seen) {
            seenBySeq.put(x.change().seq(), x.stalenessMs() / 1000.0);
        }
        List<double[]> intervals = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            Double staleness = seenBySeq.get(c.seq());
            if (c.lost()) {
                staleness = healedByRun.get(c);
                for (int j = i + 1; j < changes.size(); j++) {
                    Change later = changes.get(j);
                    if (later.plant().equals(c.plant()) && later.id() == c.id() && seenBySeq.containsKey(later.seq())) {
                        double bySuccessor = (later.simMs() - c.simMs()) / 1000.0 + seenBySeq.get(later.seq());
                        staleness = staleness == null ? bySuccessor : Math.min(staleness, bySuccessor);
                        break;
                    }
                }
                if (staleness != null && staleness.equals(healedByRun.get(c))) {
                    byRun[0]++;
                    byRun[1] = Math.max(byRun[1], staleness);
                }
            }
            if (staleness == null) {
                s.notReflected++;
                intervals.add(new double[] {c.simMs(), end});
                continue;
            }
            s.staleness.add(staleness);
            s.stalenessPoints.add(new double[] {c.simMs() / 1000.0, staleness});
            intervals.add(new double[] {c.simMs(), c.simMs() + staleness * 1000});
        }
        s.differingShare = differingShare(intervals, end);
        return byRun;
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
