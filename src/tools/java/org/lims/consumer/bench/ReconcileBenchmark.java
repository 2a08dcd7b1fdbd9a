package org.lims.consumer.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.apache.camel.ProducerTemplate;
import org.bson.Document;
import org.lims.consumer.observe.ProducerReads;
import org.lims.consumer.reconcile.ReconcileRun;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.ProducerDb;
import org.lims.consumer.testinfra.TestScope;

/**
 * Reconciliation at scale: a producer and a consumer database of {@code --records} records per plant
 * (small documents: 256-byte images, the rest as LIMS stores it), equal at first. Measures, through
 * the real app, the duration and the bytes read from the producer of a run with no difference and of
 * a run with {@code --differences} percent of the ids differing (40 % missing, 40 % stale, 10 % newer,
 * 10 % extra), then what the two alternatives of docs/reconciliation.md would read of the same
 * databases: a plain projection of every record, and an incremental window.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.lims.consumer.bench.ReconcileBenchmark \
 *     -Dexec.args="--records 100000 --differences 1"    (--progress: the runs' log lines too)
 * </pre>
 */
public final class ReconcileBenchmark {

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    /** After every create: the producer's updates of the "stale" ids happen from here on, so a window since then holds exactly them. */
    private static final Instant WINDOW = Instant.parse("2024-06-01T00:00:00Z");

    private ReconcileBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = 100_000;
        double percent = 1;
        boolean progress = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Integer.parseInt(args[++i]);
                case "--differences" -> percent = Double.parseDouble(args[++i]);
                case "--progress" -> progress = true;
                default -> throw new IllegalArgumentException("usage: [--records 100000] [--differences 1] [--progress]");
            }
        }
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.camel", org.apache.logging.log4j.Level.WARN);
        if (!progress) {
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.lims.consumer.reconcile", org.apache.logging.log4j.Level.WARN);
        }
        try {
            run(records, percent);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    static void run(int perPlant, double percent) throws Exception {
        TestScope scope = TestScope.create("reconcile-bench");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        String producerDb = scope.database() + "_producer";
        List<String> plants = TestScope.PLANTS;
        long t = System.nanoTime();
        try (ProducerDb producer = new ProducerDb(LimsInfrastructure.mongoUri(), producerDb);
                MongoClient consumerClient = MongoClients.create(LimsInfrastructure.mongoUri())) {
            for (String plant : plants) {
                List<Document> docs = new ArrayList<>(perPlant);
                for (int id = 1; id <= perPlant; id++) {
                    docs.add(version(id, 1));
                }
                producer.insert(plant, docs);
                ProducerDb.insert(consumerClient.getDatabase(scope.database()).getCollection(scope.collection(plant)), docs);
            }
            System.out.printf(Locale.ROOT, "Loaded %d records per plant into both databases in %.0f s%n", perPlant, (System.nanoTime() - t) / 1e9);

            Map<String, String> props = new HashMap<>(scope.appProperties());
            props.put("lims.producer.mongodb.uri", LimsInfrastructure.mongoUri());
            props.put("lims.producer.mongodb.database", producerDb);
            props.put("lims.reconcile.interval-s", String.valueOf(365L * 24 * 3600));
            List<String> rows = new ArrayList<>();
            long total = (long) perPlant * plants.size();
            try (LimsApp app = LimsApp.start(props)) {
                ProducerTemplate template = app.context().createProducerTemplate();
                ReconcileRun startup = runNow(template);
                rows.add(row("start-up run, no difference", total, startup));
                rows.add(row("no difference", total, runNow(template)));

                int differing = introduceDifferences(producer, consumerClient.getDatabase(scope.database()), scope, plants, perPlant, percent);
                ReconcileRun repair = runNow(template);
                rows.add(row(String.format(Locale.ROOT, "%s %% differing (%d ids)", trim(percent), differing), total, repair));
                rows.add(row("after the repair (newer and extra remain)", total, runNow(template)));
            }

            System.out.println();
            System.out.printf(Locale.ROOT, "%d plants x %d records (256-byte images), producer and consumer on one Mongo-wire server%n%n",
                    plants.size(), perPlant);
            System.out.println("| run | duration | read from the producer | per record | differences | repaired |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            rows.forEach(System.out::println);
            System.out.println();
            alternatives(producerDb, plants, perPlant, percent);
        }
    }

    /** Version v of a record: v = 1 never updated; camera_id = v. */
    static Document version(long id, int v) {
        Instant created = T0.plusSeconds(id);
        return ProducerDb.record(id, created, v == 1 ? null : created.plusSeconds(3600L * v), v, 256);
    }

    /** In each plant's consumer collection: percent of the ids made missing, stale, newer or extra (40/40/10/10). */
    private static int introduceDifferences(ProducerDb producer, com.mongodb.client.MongoDatabase consumer, TestScope scope, List<String> plants,
                                            int perPlant, double percent) {
        SplittableRandom random = new SplittableRandom(7);
        int per = (int) Math.round(perPlant * percent / 100);
        for (String plant : plants) {
            MongoCollection<Document> c = consumer.getCollection(scope.collection(plant));
            java.util.Set<Integer> picked = new java.util.HashSet<>();
            while (picked.size() < per) {
                picked.add(1 + random.nextInt(perPlant));
            }
            int i = 0;
            for (int id : picked) {
                int kind = i++ * 10 / per;
                if (kind < 4) {
                    c.deleteOne(Filters.eq("id", id));
                } else if (kind < 8) {
                    // the producer moves on, the consumer keeps version 1 (a lost publish)
                    Document updated = version(id, 1);
                    updated.put("updated_at", Date.from(WINDOW.plusMillis(id)));
                    updated.put("camera_id", 2);
                    producer.replace(plant, updated);
                } else if (kind < 9) {
                    ProducerDb.replace(c, version(id, 3));
                } else {
                    ProducerDb.insert(c, List.of(version(perPlant + id, 1)));
                }
            }
        }
        return per * plants.size();
    }

    /**
     * What the alternatives would read of the same producer database: every record's projection
     * (the plain comparison), and an incremental window: the records changed since the last run
     * (the stale ones here), and a window without changes.
     */
    private static void alternatives(String producerDb, List<String> plants, int perPlant, double percent) {
        ProducerReads reads = new ProducerReads();
        MongoClientSettings settings = MongoClientSettings.builder().applyConnectionString(new ConnectionString(LimsInfrastructure.mongoUri()))
                .addCommandListener(reads).build();
        try (MongoClient client = MongoClients.create(settings)) {
            long start = System.nanoTime();
            for (String plant : plants) {
                MongoCollection<Document> c = client.getDatabase(producerDb).getCollection(org.lims.consumer.testinfra.AppDefaults.collection(plant));
                reads.attribute(c.getNamespace().getCollectionName(), plant);
                c.find().projection(Projections.fields(Projections.include("id", "updated_at", "created_at", "is_deleted"), Projections.excludeId()))
                        .batchSize(10_000).forEach(d -> { });
            }
            double projectionSeconds = (System.nanoTime() - start) / 1e9;
            long projection = plants.stream().mapToLong(reads::bytes).sum();
            long windowBytes = window(client, producerDb, plants, reads, Date.from(WINDOW.minusMillis(1)));
            long emptyWindowBytes = window(client, producerDb, plants, reads, Date.from(WINDOW.plusSeconds(86_400)));
            System.out.printf(Locale.ROOT, "Alternatives on the same producer database:%n");
            System.out.printf(Locale.ROOT, "- plain projection of every record: %.1f MB in %.1f s (%.1f bytes per record), on every run%n",
                    projection / 1e6, projectionSeconds, (double) projection / (perPlant * plants.size()));
            System.out.printf(Locale.ROOT, "- incremental window (updated_at or created_at newer than the last run): %.1f KB for the window "
                            + "holding the %d stale records, %d bytes for a window without changes; blind to the missing, newer and extra "
                            + "records, whose difference is older than the window%n",
                    windowBytes / 1e3, Math.round(perPlant * percent / 100 * 0.4) * plants.size(), emptyWindowBytes);
        }
    }

    private static long window(MongoClient client, String producerDb, List<String> plants, ProducerReads reads, Date since) {
        long before = plants.stream().mapToLong(reads::bytes).sum();
        for (String plant : plants) {
            MongoCollection<Document> c = client.getDatabase(producerDb).getCollection(org.lims.consumer.testinfra.AppDefaults.collection(plant));
            c.find(Filters.or(Filters.gt("updated_at", since), Filters.gt("created_at", since)))
                    .projection(Projections.fields(Projections.include("id", "updated_at", "created_at", "is_deleted"), Projections.excludeId()))
                    .forEach(d -> { });
        }
        return plants.stream().mapToLong(reads::bytes).sum() - before;
    }

    private static ReconcileRun runNow(ProducerTemplate template) throws InterruptedException {
        while (true) {
            ReconcileRun run = template.requestBody("direct:reconcile", null, ReconcileRun.class);
            if (run != null) {
                if (!run.succeeded()) {
                    throw new IllegalStateException(run.failure());
                }
                return run;
            }
            Thread.sleep(100);
        }
    }

    private static String row(String name, long records, ReconcileRun run) {
        return String.format(Locale.ROOT, "| %s | %.1f s | %s | %.2f B | %d | %d |", name, run.seconds(), kb(run.totalBytesRead()),
                (double) run.totalBytesRead() / records, run.differences(), run.repaired() + run.removed());
    }

    private static String kb(long bytes) {
        return bytes >= 1_000_000 ? String.format(Locale.ROOT, "%.2f MB", bytes / 1e6) : String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
