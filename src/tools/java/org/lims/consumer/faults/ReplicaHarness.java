package org.lims.consumer.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.lims.consumer.testinfra.ChildProcess;

/**
 * Replicas: several instances of the packaged app in one consumer group (3 partitions per plant topic) while a
 * continuous stream of creates, updates, soft deletes and tombstones flows, and one of four things happens to them:
 * <ol>
 * <li>{@code kill}: one of three SIGKILLed and not restarted;</li>
 * <li>{@code rolling}: a rolling restart, SIGTERM each in turn, its replacement started and ready before the next;</li>
 * <li>{@code scale-out}: one instance, then two more mid-stream;</li>
 * <li>{@code static}: static membership ({@code group.instance.id} per instance, as the Deployment sets it from the pod
 *     name): one SIGKILLed and restarted under its name (a container restart), then a rolling restart whose
 *     replacements have new names (new pods).</li>
 * </ol>
 * Each run ends with the consumer database compared with the state the sent events must leave ({@link StateCheck}),
 * and reports the longest time some partition had no owner (no live member of a stable group held it; a member
 * stops counting as an owner when it is signalled), and every SIGTERM-to-exit time. Runs share one broker and one
 * Mongo-wire server (separate processes, {@link Cluster}); each run has its own topics (prefix), group and an emptied
 * database.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package exec:exec@replicas -Dreplicas.args="--runs all --rate 200"
 * </pre>
 *
 * Options: {@code --runs all|kill,rolling,scale-out,static,surge} ({@code surge}, not in {@code all}: a fourth
 * replica beside three) {@code --rate events/s} {@code --settle-s S} (stream before and after the fault)
 * {@code --seed N} {@code --work dir} {@code --report file.md}.
 */
public final class ReplicaHarness {

    /** The four runs. */
    public enum Run {
        KILL("kill", "one of 3 replicas SIGKILLed, not restarted"),
        ROLLING("rolling", "rolling restart of 3 replicas (SIGTERM, replacement ready, next)"),
        SCALE_OUT("scale-out", "scale-out from 1 to 3 replicas"),
        STATIC("static", "static membership: SIGKILL + restart under the same name, then a rolling restart (new names)"),
        /** not in {@code all}: what a rollout's surge pod gets when the group already has as many members as a topic partitions */
        SURGE("surge", "a fourth replica beside three (a rollout's surge pod, static names as a Deployment's)");

        final String id;
        final String description;

        Run(String id, String description) {
            this.id = id;
            this.description = description;
        }
    }

    public record Options(List<Run> runs, int rate, int settleSeconds, long seed, Path work, Path report) {
        public static Options defaults() {
            return new Options(ALL, 200, 10, 7L, Path.of("target/replicas"), null);
        }

        public Options sized(int rate, int settleSeconds, Path work) {
            return new Options(runs, rate, settleSeconds, seed, work, report);
        }
    }

    /** A gap in the ownership of a partition: {@code at} seconds after the stream began. */
    public record Gap(String partition, double at, double seconds) {
    }

    public record Result(Run run, int events, long keys, long correct, long lost, long wrong, long deadLetters, List<Gap> gaps,
                         List<Double> exitSeconds, List<Double> readySeconds, List<Double> leftGroupSeconds, Set<String> instanceIds,
                         int dynamicMembers, double wallSeconds, List<String> notes) {

        public boolean clean() {
            return lost == 0 && wrong == 0 && correct == keys && deadLetters == 0;
        }

        public double longestGap() {
            return gaps.stream().mapToDouble(Gap::seconds).max().orElse(0);
        }
    }

    static final int PARTITIONS = 3;
    static final List<Run> ALL = List.of(Run.KILL, Run.ROLLING, Run.SCALE_OUT, Run.STATIC);
    /** as the Deployment sets it, from the pod name */
    private static final String INSTANCE_ID = "LIMS_KAFKA_GROUP_INSTANCE_ID";

    private final Options options;

    public ReplicaHarness(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        List<Result> results = new ReplicaHarness(o).runAll();
        FaultHarness.finish("REPLICAS", table(results), o.report(), results.stream().allMatch(Result::clean));
    }

    static Options parse(String[] args) {
        Options d = Options.defaults();
        List<Run> runs = d.runs();
        int rate = d.rate(), settle = d.settleSeconds();
        long seed = d.seed();
        Path work = d.work(), report = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--runs" -> runs = "all".equals(v) ? ALL
                        : Arrays.stream(v.split(",")).map(String::trim).map(id -> Arrays.stream(Run.values()).filter(r -> r.id.equals(id))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown run " + id))).toList();
                case "--rate" -> rate = Integer.parseInt(v);
                case "--settle-s" -> settle = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--work" -> work = Path.of(v);
                case "--report" -> report = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(runs, rate, settle, seed, work, report);
    }

    public List<Result> runAll() throws Exception {
        Path dir = options.work().toAbsolutePath();
        FaultHarness.deleteRecursively(dir);
        Files.createDirectories(dir);
        List<Result> results = new ArrayList<>();
        try (Cluster cluster = new Cluster(dir, List.of(), Map.of())) {
            Thread mongo = new Thread(cluster::startMongo, "mongo-start");
            mongo.start();
            cluster.startKafka();
            mongo.join();
            int n = 0;
            for (Run run : options.runs()) {
                FaultHarness.log("=== replicas: " + run.description + " ===");
                Result r = new Scenario(cluster, run, ++n).run();
                FaultHarness.log(String.format(Locale.ROOT, "%s: %d events, keys %d/%d correct, lost %d, wrong %d, longest partition without owner %.1f s, "
                                + "SIGTERM to exit %s s", run.id, r.events(), r.correct(), r.keys(), r.lost(), r.wrong(), r.longestGap(),
                        seconds(r.exitSeconds())));
                results.add(r);
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- one run

    /** One run: its topics, group and replicas on the shared broker and Mongo-wire server. */
    private final class Scenario {
        final Cluster cluster;
        final Run run;
        final String prefix;
        final String group;
        final List<String> topics;
        final Map<String, Replica> replicas = new ConcurrentHashMap<>();
        final List<Double> exits = new CopyOnWriteArrayList<>();
        final List<Double> ready = new CopyOnWriteArrayList<>();
        final List<Double> left = new CopyOnWriteArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Path dir;
        int started;
        OwnershipWatch watch;

        Scenario(Cluster cluster, Run run, int n) {
            this.cluster = cluster;
            this.run = run;
            this.prefix = "r" + n + ".";
            this.group = "replicas-" + run.id;
            this.topics = EventStream.PLANTS.stream().map(p -> prefix + p).toList();
            this.dir = cluster.dir.resolve(run.id);
        }

        Result run() throws Exception {
            long began = System.nanoTime();
            Files.createDirectories(dir);
            try (MongoClient mongo = MongoClients.create(cluster.mongoUri())) {
                mongo.getDatabase(StateCheck.DATABASE).drop();
            }
            try (Admin admin = admin()) {
                admin.createTopics(topics.stream().map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
            }
            long lettersBefore = deadLetters();
            boolean statik = run == Run.STATIC || run == Run.SURGE;
            int initial = run == Run.SCALE_OUT ? 1 : 3;
            for (int i = 1; i <= initial; i++) {
                start("replica-" + i, statik ? "lims-consumer-a-" + i : null);
            }
            awaitAllReady();
            EventStream stream;
            try (KafkaProducer<String, byte[]> producer = FaultHarness.producer(cluster.brokers());
                 OwnershipWatch w = new OwnershipWatch(cluster.brokers(), group, topics, replicas)) {
                watch = w;
                Streamer streamer = new Streamer(producer, prefix, options.rate(), options.seed(), options.rate() * 900);
                Thread producing = new Thread(streamer, "replica-stream");
                producing.start();
                Cluster.sleep(options.settleSeconds() * 1000L);
                watch.begin();
                switch (run) {
                    case KILL -> kill("replica-3", false);
                    case ROLLING -> rollingRestart(false);
                    case SCALE_OUT -> {
                        start("replica-2", null);
                        start("replica-3", null);
                        awaitAllReady();
                    }
                    case STATIC -> {
                        kill("replica-2", true);
                        rollingRestart(true);
                    }
                    case SURGE -> surge();
                }
                // a SIGKILLed member keeps its partitions until the session timeout: the gap ends when the group has them again
                watch.awaitAllOwned(Duration.ofSeconds(120));
                Cluster.sleep(options.settleSeconds() * 1000L);
                watch.end();
                streamer.stop();
                producing.join();
                producer.flush();
                stream = new EventStream(streamer.sent(), options.seed());
                awaitZeroLag(Duration.ofSeconds(300));
                notes.add(String.format(Locale.ROOT, "%,d events streamed at %d/s", streamer.sent(), options.rate()));
            }
            Map<String, StateCheck.Expected> expected = new HashMap<>();
            stream.expectedPresent().forEach((k, e) -> expected.put(k, StateCheck.of(e)));
            StateCheck.Outcome outcome = StateCheck.compare(cluster.mongoUri(), stream, expected);
            notes.addAll(outcome.samples());
            long letters = deadLetters() - lettersBefore;
            for (Replica r : replicas.values()) {
                r.process.kill();
                r.saveLog(dir);
            }
            List<Gap> gaps = watch.gaps();
            notes.add(gapSummary(gaps));
            return new Result(run, stream.events().size(), outcome.keys(), outcome.correct(), outcome.lost(), outcome.wrong(), letters, gaps,
                    List.copyOf(exits), List.copyOf(ready), List.copyOf(left), watch.instanceIds(), watch.dynamicMembers(), (System.nanoTime() - began) / 1e9, notes);
        }

        /** Starts a replica; {@code instanceId} non-null: static membership under that name. */
        void start(String name, String instanceId) {
            started++;
            Map<String, String> props = new HashMap<>();
            props.put("lims.kafka.brokers", cluster.brokers());
            props.put("lims.mongodb.uri", cluster.mongoUri());
            props.put("lims.kafka.topics", String.join(",", topics));
            props.put("lims.kafka.topic-prefix", prefix);
            props.put("lims.kafka.group-id", group);
            props.put("lims.http.port", String.valueOf(Cluster.freePort()));
            int management = Cluster.freePort();
            props.put("lims.management.port", String.valueOf(management));
            // the member's client id names the replica in the group's description (who holds which partition)
            String clientId = name + "-" + started;
            props.put("camel.component.kafka.clientId", clientId);
            Map<String, String> env = instanceId == null ? Map.of() : Map.of(INSTANCE_ID, instanceId);
            replicas.put(name, new Replica(name, clientId, instanceId, management, System.nanoTime(), ChildProcess.app(props, env)));
        }

        void awaitAllReady() {
            for (Replica r : replicas.values()) {
                if (r.readyAt == 0) {
                    r.awaitReady(Duration.ofSeconds(180));
                    ready.add((r.readyAt - r.startedAt) / 1e9);
                }
            }
        }

        void kill(String name, boolean restartUnderSameName) throws Exception {
            Replica victim = replicas.get(name);
            watch.stopped(victim.member);
            victim.process.kill();
            victim.saveLog(dir);
            FaultHarness.log(name + " SIGKILLed");
            if (restartUnderSameName) {
                start(name, victim.instanceId);
                watch.resumed(victim.member);
                awaitAllReady();
            } else {
                replicas.remove(name);
            }
        }

        /** SIGTERM each in turn; its replacement (a new name under static membership, as a new pod has) ready before the next. */
        void rollingRestart(boolean statik) throws Exception {
            for (String name : new TreeSet<>(replicas.keySet())) {
                Replica old = replicas.get(name);
                watch.stopped(old.member);
                long term = System.nanoTime();
                old.process.close();
                double exit = (System.nanoTime() - term) / 1e9;
                exits.add(exit);
                old.saveLog(dir);
                if (old.process.isAlive() || exit >= 20) {
                    notes.add(name + " did not exit within 20 s of SIGTERM and was SIGKILLed");
                }
                Double gone = watch.memberGoneAfter(old.member, term, Duration.ofSeconds(30));
                if (gone != null) {
                    left.add(gone);
                }
                FaultHarness.log(String.format(Locale.ROOT, "%s SIGTERM: exit after %.1f s, out of the group after %s s", name, exit,
                        gone == null ? "(not within 30)" : String.format(Locale.ROOT, "%.1f", gone)));
                start(name, statik ? "lims-consumer-b-" + name.substring(name.lastIndexOf('-') + 1) : null);
                awaitAllReady();
            }
        }

        /** A fourth member under a name that sorts after the others' (a new ReplicaSet's pod may): ready or not, and who holds what. */
        void surge() throws Exception {
            start("replica-4", "lims-consumer-z-4");
            Replica surge = replicas.get("replica-4");
            try {
                surge.awaitReady(Duration.ofSeconds(90));
                notes.add(String.format(Locale.ROOT, "the fourth replica got ready after %.1f s", (surge.readyAt - surge.startedAt) / 1e9));
            } catch (IllegalStateException notReady) {
                notes.add("the fourth replica was not ready 90 s after its start");
            }
            notes.add("partitions held: " + watch.partitionsHeld());
            watch.stopped(surge.member);
            surge.process.close();
            surge.saveLog(dir);
            replicas.remove("replica-4");
        }

        void awaitZeroLag(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            try (Admin admin = admin()) {
                while (System.nanoTime() < deadline) {
                    if (lag(admin) == 0) {
                        return;
                    }
                    Cluster.sleep(200);
                }
                throw new IllegalStateException(run.id + ": lag still " + lag(admin) + " after " + timeout);
            }
        }

        long lag(Admin admin) throws Exception {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String t : topics) {
                for (int p = 0; p < PARTITIONS; p++) {
                    latest.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        }

        long deadLetters() throws Exception {
            try (Admin admin = admin()) {
                if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(Cluster.DLQ)) {
                    return 0;
                }
                var partitions = admin.describeTopics(List.of(Cluster.DLQ)).allTopicNames().get(10, TimeUnit.SECONDS).get(Cluster.DLQ).partitions();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                partitions.forEach(p -> latest.put(new TopicPartition(Cluster.DLQ, p.partition()), OffsetSpec.latest()));
                return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
            }
        }

        Admin admin() {
            return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.brokers()));
        }
    }

    private static String gapSummary(List<Gap> gaps) {
        List<Gap> notable = gaps.stream().filter(g -> g.seconds() >= 1).sorted((a, b) -> Double.compare(a.at(), b.at())).toList();
        if (notable.isEmpty()) {
            return "no partition without owner for 1 s or more";
        }
        // the eager rebalance takes every partition at once: group the gaps by when they began
        Map<Long, List<Gap>> byMoment = new java.util.TreeMap<>();
        for (Gap g : notable) {
            byMoment.computeIfAbsent(Math.round(g.at()), k -> new ArrayList<>()).add(g);
        }
        return "partitions without owner (how many, when after the first fault, how long at most): " + byMoment.entrySet().stream().limit(12).map(e -> String.format(Locale.ROOT, "%d at %d s for up to %.1f s",
                e.getValue().size(), e.getKey(), e.getValue().stream().mapToDouble(Gap::seconds).max().orElse(0))).collect(Collectors.joining("; "));
    }

    /** One app instance. */
    private static final class Replica {
        final String name;
        final String clientId;
        final String instanceId;
        /**
         * How the group's description names this replica: its static name, else its client id. A static member that
         * rejoins under its name without a rebalance keeps the client id of the instance it replaced there.
         */
        final String member;
        final int managementPort;
        final long startedAt;
        final ChildProcess process;
        volatile long readyAt;
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Replica(String name, String clientId, String instanceId, int managementPort, long startedAt, ChildProcess process) {
            this.name = name;
            this.clientId = clientId;
            this.instanceId = instanceId;
            this.member = instanceId != null ? instanceId : clientId;
            this.managementPort = managementPort;
            this.startedAt = startedAt;
            this.process = process;
        }

        void awaitReady(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited:\n" + process.output());
                }
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/observe/health/ready"))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        readyAt = System.nanoTime();
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                Cluster.sleep(200);
            }
            throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + process.output());
        }

        void saveLog(Path dir) {
            try {
                Files.writeString(dir.resolve(clientId + ".log"), process.output());
            } catch (IOException | RuntimeException e) {
                // diagnostics only
            }
        }
    }

    /**
     * The events of an {@link EventStream} at a steady rate until stopped, to the run's topics. The stream is the seeded
     * sequence's prefix that was sent, so {@code new EventStream(sent, seed)} is what the database must reflect.
     */
    private static final class Streamer implements Runnable {
        private final KafkaProducer<String, byte[]> producer;
        private final String prefix;
        private final int rate;
        private final List<EventStream.Event> events;
        private volatile boolean running = true;
        private volatile int sent;


        /** @param most events at most (the sequence is made up front) */
        Streamer(KafkaProducer<String, byte[]> producer, String prefix, int rate, long seed, int most) {
            this.producer = producer;
            this.prefix = prefix;
            this.rate = rate;
            this.events = new EventStream(most, seed).events();
        }

        @Override
        public void run() {
            long startedAt = System.nanoTime();
            for (int i = 0; running && i < events.size(); i++) {
                long wait = startedAt + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 1_000_000) {
                    Cluster.sleep(wait / 1_000_000);
                }
                EventStream.Event e = events.get(i);
                producer.send(new ProducerRecord<>(prefix + e.plant(), e.key(), e.value()));
                sent = i + 1;
            }
        }

        void stop() {
            running = false;
        }

        int sent() {
            return sent;
        }
    }

    /**
     * Who holds which partition, sampled every 100 ms from the group's description: a partition has an owner when the
     * group is stable and a member that is still running (not signalled) holds it.
     */
    private static final class OwnershipWatch implements AutoCloseable {
        private final Admin admin;
        private final String group;
        private final Set<String> partitions = new TreeSet<>();
        private final Map<String, Replica> replicas;
        private final Set<String> stopped = ConcurrentHashMap.newKeySet();
        private final Map<String, Long> unownedSince = new ConcurrentHashMap<>();
        private final List<Gap> gaps = new CopyOnWriteArrayList<>();
        /** member (static name, else client id) -> the first sample it was missing from, after it had been a member */
        private final Map<String, Long> memberGoneAt = new ConcurrentHashMap<>();
        private final Set<String> members = ConcurrentHashMap.newKeySet();
        private final Set<String> instanceIds = ConcurrentHashMap.newKeySet();
        private final Set<String> dynamic = ConcurrentHashMap.newKeySet();
        private volatile Map<String, Integer> held = Map.of();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile boolean measuring;
        private volatile long origin;
        private volatile long samples;

        OwnershipWatch(String brokers, String group, List<String> topics, Map<String, Replica> replicas) {
            this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
            this.group = group;
            this.replicas = replicas;
            topics.forEach(t -> {
                for (int p = 0; p < PARTITIONS; p++) {
                    partitions.add(t + "-" + p);
                }
            });
            thread = new Thread(this::loop, "ownership-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /** Gaps count from now, their moments in seconds from now. */
        void begin() {
            origin = System.nanoTime();
            unownedSince.clear();
            measuring = true;
        }

        void end() {
            measuring = false;
            long now = System.nanoTime();
            unownedSince.forEach((p, since) -> gaps.add(new Gap(p, (since - origin) / 1e9, (now - since) / 1e9)));
            unownedSince.clear();
        }

        void awaitAllOwned(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            long after = samples + 2;
            while ((samples < after || !unownedSince.isEmpty()) && System.nanoTime() < deadline) {
                Cluster.sleep(100);
            }
            if (!unownedSince.isEmpty()) {
                throw new IllegalStateException("partitions still without owner after " + timeout + ": " + unownedSince.keySet());
            }
        }

        /** From now on this member's partitions count as unowned (it was signalled). */
        void stopped(String member) {
            stopped.add(member);
        }

        /** How the description names a member: see {@link Replica#member}. */
        static String member(MemberDescription m) {
            return m.groupInstanceId().orElse(m.clientId());
        }

        /** A replica restarted under the static name of one stopped before: what it holds is owned again. */
        void resumed(String member) {
            stopped.remove(member);
        }

        /**
         * Seconds from {@code since} until the member no longer appears in the group (for a second at least), or null.
         * A member already missing at {@code since} and not back since (SIGTERMed while it rejoined after a
         * rebalance) is out of the group at 0 s.
         */
        Double memberGoneAfter(String member, long since, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Long gone = memberGoneAt.get(member);
                if (gone != null && System.nanoTime() - Math.max(gone, since) > 1_000_000_000L) {
                    return Math.max(0, gone - since) / 1e9;
                }
                Cluster.sleep(50);
            }
            return null;
        }

        private void loop() {
            while (running) {
                try {
                    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
                    long now = System.nanoTime();
                    Set<String> owned = new HashSet<>();
                    Set<String> present = d.members().stream().map(OwnershipWatch::member).collect(Collectors.toSet());
                    members.stream().filter(m -> !present.contains(m)).forEach(m -> memberGoneAt.putIfAbsent(m, now));
                    // a member missing from one description (a rebalance in progress) and back in the next had not left
                    present.forEach(memberGoneAt::remove);
                    members.addAll(present);
                    for (MemberDescription m : d.members()) {
                        m.groupInstanceId().ifPresentOrElse(instanceIds::add, () -> dynamic.add(m.clientId()));
                        if (d.state() == ConsumerGroupState.STABLE && !stopped.contains(member(m))) {
                            m.assignment().topicPartitions().forEach(tp -> owned.add(tp.topic() + "-" + tp.partition()));
                        }
                    }
                    if (measuring) {
                        for (String p : partitions) {
                            if (owned.contains(p)) {
                                Long since = unownedSince.remove(p);
                                if (since != null) {
                                    gaps.add(new Gap(p, (since - origin) / 1e9, (now - since) / 1e9));
                                }
                            } else {
                                unownedSince.putIfAbsent(p, now);
                            }
                        }
                    }
                    held = d.members().stream().collect(Collectors.toMap(m -> m.groupInstanceId().orElse(m.clientId()),
                            m -> m.assignment().topicPartitions().size(), Integer::sum));
                    samples++;
                } catch (Exception e) {
                    // the next sample
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException closed) {
                    return;
                }
            }
        }

        List<Gap> gaps() {
            return List.copyOf(gaps);
        }

        /** The static members' names seen in the group. */
        Set<String> instanceIds() {
            return Set.copyOf(instanceIds);
        }

        /** The last sample's assignment: static name (or client id) -> partitions held. */
        Map<String, Integer> partitionsHeld() {
            return new java.util.TreeMap<>(held);
        }

        /** How many members had no static name. */
        int dynamicMembers() {
            return dynamic.size();
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            admin.close(Duration.ofSeconds(2));
        }
    }

    // ---------------------------------------------------------------- report

    public static String table(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append("| run | events | keys correct / expected | lost | wrongly applied | dead letters | longest partition without owner | "
                + "SIGTERM to exit | SIGTERM to out of the group | start to ready | wall |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %,d | %,d / %,d | %d | %d | %d | %.1f s | %s | %s | %s | %.0f s |%n", r.run().description,
                    r.events(), r.correct(), r.keys(), r.lost(), r.wrong(), r.deadLetters(), r.longestGap(), seconds(r.exitSeconds()),
                    seconds(r.leftGroupSeconds()), spread(r.readySeconds()), r.wallSeconds()));
        }
        b.append('\n');
        for (Result r : results) {
            b.append("- ").append(r.run().id).append(": ").append(String.join("; ", r.notes())).append('\n');
        }
        return b.toString();
    }

    /** median (min-max) */
    static String spread(List<Double> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Double> sorted = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "%.1f s (%.1f-%.1f)", sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
    }

    static String seconds(List<Double> values) {
        return values.isEmpty() ? "-" : values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).collect(Collectors.joining(", ")) + " s";
    }
}
