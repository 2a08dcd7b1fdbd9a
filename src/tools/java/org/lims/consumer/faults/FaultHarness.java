package org.lims.consumer.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lims.consumer.testinfra.LimsEvents;

/**
 * Fault injection: the packaged app, a Kafka broker and a Mongo-wire server run as separate
 * processes; a known sequence of events is streamed while a fault is injected; the consumer
 * database is then compared with the state the sequence must leave.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests package test-compile exec:exec@faults -Dfaults.args="--scenario all --events 50000"
 * </pre>
 *
 * Options: {@code --scenario all|1,2,...} {@code --events N} {@code --rate events/s} {@code --kills N}
 * {@code --mongo-outage-s S} {@code --malformed N} {@code --rest-threads N} {@code --seed N}
 * {@code --report file.md} {@code --work dir} {@code --kill-spacing-s S}.
 */
public final class FaultHarness {

    public static final Map<Integer, String> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put(1, "app SIGKILLed and restarted");
        SCENARIOS.put(2, "Mongo-wire server down and restarted");
        SCENARIOS.put(3, "broker restarted");
        SCENARIOS.put(4, "malformed messages");
        SCENARIOS.put(5, "duplicates and reordering");
        SCENARIOS.put(6, "REST reads and writes");
    }

    /** What to run and how big. */
    public record Options(Set<Integer> scenarios, int events, int rate, int kills, int mongoOutageSeconds, int malformed,
                          int restThreads, long seed, Path work, Path report, int killSpacingSeconds) {

        public static Options defaults() {
            return new Options(new TreeSet<>(SCENARIOS.keySet()), 50_000, 1000, 5, 30, 1000, 3, 42L,
                    Path.of("target/faults"), null, 25);
        }

        public Options with(Set<Integer> scenarios, int events, int kills, int mongoOutageSeconds, int malformed) {
            return new Options(scenarios, events, rate, kills, mongoOutageSeconds, malformed, restThreads, seed, work, report, killSpacingSeconds);
        }

        public Options in(Path work, int killSpacingSeconds) {
            return new Options(scenarios, events, rate, kills, mongoOutageSeconds, malformed, restThreads, seed, work, report, killSpacingSeconds);
        }
    }

    /** One scenario's figures. */
    public record Result(int scenario, String name, long messages, long validEvents, long malformed, long keys, long keysCorrect,
                         long dlq, long dlqDistinct, long lost, long wrong, String applied, String recovery, double catchUpSeconds,
                         double wallSeconds, List<String> notes) {

        public boolean clean() {
            return lost == 0 && wrong == 0 && keysCorrect == keys;
        }
    }

    private static final Pattern BATCH = Pattern.compile("(\\d+) written, (\\d+) stale, (\\d+) unchanged");

    private final Options options;

    public FaultHarness(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        List<Result> results = new FaultHarness(o).runAll();
        finish("FAULTS", table(results), o.report(), results.stream().allMatch(Result::clean));
    }

    /** Prints the table (and writes it to {@code report}, if given), then exits 1 unless the runs were clean. */
    static void finish(String harness, String table, Path report, boolean clean) throws java.io.IOException {
        System.out.println();
        System.out.println(table);
        if (report != null) {
            Files.createDirectories(report.toAbsolutePath().getParent());
            Files.writeString(report, table);
        }
        System.out.println(harness + (clean ? ": no loss, no wrong application" : ": LOSS OR WRONG APPLICATION"));
        System.exit(clean ? 0 : 1);
    }

    static Options parse(String[] args) {
        Options d = Options.defaults();
        Set<Integer> scenarios = d.scenarios();
        int events = d.events(), rate = d.rate(), kills = d.kills(), outage = d.mongoOutageSeconds(), malformed = d.malformed();
        int restThreads = d.restThreads();
        long seed = d.seed();
        Path work = d.work(), report = null;
        int killSpacing = d.killSpacingSeconds();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--scenario" -> scenarios = "all".equals(v) ? new TreeSet<>(SCENARIOS.keySet())
                        : java.util.Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).collect(Collectors.toCollection(TreeSet::new));
                case "--events" -> events = Integer.parseInt(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--kills" -> kills = Integer.parseInt(v);
                case "--mongo-outage-s" -> outage = Integer.parseInt(v);
                case "--malformed" -> malformed = Integer.parseInt(v);
                case "--rest-threads" -> restThreads = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--work" -> work = Path.of(v);
                case "--report" -> report = Path.of(v);
                case "--kill-spacing-s" -> killSpacing = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        return new Options(scenarios, events, rate, kills, outage, malformed, restThreads, seed, work, report, killSpacing);
    }

    public List<Result> runAll() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int s : options.scenarios()) {
            log("=== scenario " + s + ": " + SCENARIOS.get(s) + " ===");
            Result r = run(s);
            log(String.format(Locale.ROOT, "scenario %d: %d messages, keys %d/%d correct, DLQ %d, lost %d, wrong %d, recovery %s, notes %s",
                    s, r.messages(), r.keysCorrect(), r.keys(), r.dlq(), r.lost(), r.wrong(), r.recovery(), r.notes()));
            results.add(r);
        }
        return results;
    }

    // ---------------------------------------------------------------- one scenario

    /** A message to produce, with where it landed. */
    static final class Msg {
        final String topic;
        final String key;
        final byte[] value;
        final Map<String, String> headers;
        final Poisons.Poison poison;
        final EventStream.Event event;
        volatile int partition = -1;
        volatile long offset = -1;

        Msg(String topic, String key, byte[] value, Map<String, String> headers, Poisons.Poison poison, EventStream.Event event) {
            this.topic = topic;
            this.key = key;
            this.value = value;
            this.headers = headers;
            this.poison = poison;
            this.event = event;
        }

        static Msg of(EventStream.Event e) {
            return new Msg(e.plant(), e.key(), e.value(), Map.of(), null, e);
        }

        String origin() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    Result run(int scenario) throws Exception {
        long started = System.nanoTime();
        Path dir = options.work().resolve("scenario-" + scenario).toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        EventStream stream = new EventStream(options.events(), options.seed() + scenario);
        Random random = new Random(options.seed() * 31 + scenario);
        List<String> topics = new ArrayList<>(EventStream.PLANTS);
        Map<String, String> appProps = new HashMap<>();
        if (scenario == 6) {
            appProps.put("lims.api.read-only", "false");
        }
        List<String> notes = new ArrayList<>();
        List<Msg> msgs = messages(scenario, stream, random, notes);
        Map<String, StateCheck.Expected> expected = new HashMap<>();
        stream.expectedPresent().forEach((k, e) -> expected.put(k, StateCheck.of(e)));
        int rate = rate(scenario);

        try (Cluster cluster = new Cluster(dir, topics, appProps)) {
            Thread mongoStart = new Thread(cluster::startMongo, "mongo-start");
            mongoStart.start();
            cluster.startKafka();
            mongoStart.join();
            if (cluster.mongo == null) {
                throw new IllegalStateException("the Mongo-wire server did not start; see " + dir.resolve("mongo.log"));
            }
            cluster.startApp();
            log("app ready; streaming " + msgs.size() + " messages at " + rate + "/s");
            try (KafkaWatch watch = new KafkaWatch(cluster.brokers(), topics);
                 KafkaProducer<String, byte[]> producer = producer(cluster.brokers())) {
                Streamer streamer = new Streamer(producer, msgs, rate);
                RestLoad rest = null;
                if (scenario == 6) {
                    for (String plant : EventStream.PLANTS) {
                        Map<String, Object> seed = LimsEvents.record(RestLoad.SEED_ID, LimsEvents.image(RestLoad.SEED_ID, 200), EventStream.T0, null);
                        seed.put("disease", "seed");
                        producer.send(new ProducerRecord<>(plant, String.valueOf(RestLoad.SEED_ID), LimsEvents.json(seed))).get();
                        expected.put(plant + "/" + RestLoad.SEED_ID, new StateCheck.Expected("seed", false, LimsEvents.image(RestLoad.SEED_ID, 200)));
                    }
                    watch.awaitZeroLag(Duration.ofSeconds(60));
                    rest = new RestLoad(cluster.httpPort, stream, streamer::eventsSent, options.restThreads(), options.seed());
                    rest.start();
                }
                Thread producing = new Thread(streamer, "streamer");
                long streamStart = System.nanoTime();
                producing.start();

                String recovery = switch (scenario) {
                    case 1 -> killApp(cluster, watch, streamer, random, notes);
                    case 2 -> mongoOutage(cluster, watch, streamer, notes);
                    case 3 -> brokerRestart(cluster, watch, streamer, notes);
                    default -> "n/a (no fault)";
                };
                producing.join();
                if (streamer.failed.get() > 0) {
                    notes.add(streamer.failed.get() + " sends failed: " + streamer.firstFailure);
                }
                long streamEnd = streamer.finishedAt;
                notes.add(String.format(Locale.ROOT, "%d messages streamed in %.0f s (%d/s)", streamer.size(), (streamEnd - streamStart) / 1e9, rate));
                if (rest != null) {
                    rest.close();
                    notes.add(String.format(Locale.ROOT, "REST: %d requests (%d reads, %d writes), %d errors, %d inconsistent, mean %.1f ms",
                            rest.requests(), rest.reads.get(), rest.writes.get(), rest.errors.get(), rest.inconsistent.get(),
                            rest.latencyNanos.get() / 1e6 / Math.max(1, rest.requests())));
                    rest.problems.stream().limit(5).forEach(p -> notes.add("REST problem: " + p));
                    expected.putAll(rest.expected);
                }
                watch.awaitZeroLag(Duration.ofSeconds(600));
                double catchUp = (System.nanoTime() - streamEnd) / 1e9;

                List<KafkaWatch.Letter> letters = watch.deadLetters();
                Set<String> origins = letters.stream().map(KafkaWatch.Letter::origin).collect(Collectors.toSet());
                StateCheck.Outcome outcome = StateCheck.compare(cluster.mongoUri(), stream, expected);
                long lost = outcome.lost();
                long wrong = outcome.wrong();
                notes.addAll(outcome.samples());
                List<Msg> poisons = msgs.stream().filter(m -> m.poison != null).toList();
                long poisonMissing = poisons.stream().filter(m -> !origins.contains(m.origin())).count();
                Set<String> poisonOrigins = poisons.stream().map(Msg::origin).collect(Collectors.toSet());
                long validInDlq = origins.stream().filter(o -> !poisonOrigins.contains(o)).count();
                if (poisonMissing > 0) {
                    lost += poisonMissing;
                    notes.add(poisonMissing + " malformed messages missing from the DLQ");
                }
                if (validInDlq > 0) {
                    wrong += validInDlq;
                    notes.add(validInDlq + " valid messages dead-lettered");
                }
                if (!poisons.isEmpty()) {
                    Map<String, Long> byReason = new TreeMap<>(letters.stream().collect(Collectors.groupingBy(l -> String.valueOf(l.reason()), Collectors.counting())));
                    notes.add("DLQ reasons " + byReason);
                    long misreasoned = poisons.stream().filter(m -> letters.stream().anyMatch(l -> l.origin().equals(m.origin())
                            && !m.poison.reason().equals(l.reason()))).count();
                    if (misreasoned > 0) {
                        notes.add(misreasoned + " dead letters with another reason than expected");
                    }
                }
                if (rest != null && rest.inconsistent.get() > 0) {
                    wrong += rest.inconsistent.get();
                }
                if (streamer.failed.get() > 0) {
                    notes.add("the producer lost messages: the expected state is not reliable");
                }
                cluster.saveAppLog();
                String applied = applied(dir, cluster);
                long valid = msgs.stream().filter(m -> m.event != null).count();
                return new Result(scenario, SCENARIOS.get(scenario), msgs.size() + (scenario == 6 ? 3 : 0), valid, poisons.size(),
                        outcome.keys(), outcome.correct(), letters.size(), origins.size(), lost, wrong, applied, recovery, catchUp,
                        (System.nanoTime() - started) / 1e9, notes);
            }
        }
    }

    /** Sums the app's batch log lines of every run: documents written, skipped as stale, unchanged. */
    private static String applied(Path dir, Cluster cluster) throws Exception {
        long written = 0, stale = 0, unchanged = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("app-")).toList()) {
                Matcher m = BATCH.matcher(Files.readString(f));
                while (m.find()) {
                    written += Long.parseLong(m.group(1));
                    stale += Long.parseLong(m.group(2));
                    unchanged += Long.parseLong(m.group(3));
                }
            }
        }
        return written + " / " + stale + " / " + unchanged;
    }

    private int rate(int scenario) {
        int rate = options.rate();
        if (scenario == 1) {
            // long enough for every kill to hit the stream while it is produced: --kill-spacing-s (25) per kill,
            // as a restart takes 10-30 s on this loaded 2-core machine
            rate = (int) Math.min(rate, options.events() / (options.kills() * (double) options.killSpacingSeconds()));
        } else if (scenario == 2) {
            // the outage starts at 25 % of the stream and ends before 90 %
            rate = (int) Math.min(rate, options.events() / (options.mongoOutageSeconds() / 0.6));
        } else if (scenario == 3) {
            rate = (int) Math.min(rate, options.events() / 40.0);
        } else if (scenario == 5) {
            rate = rate * 2; // every event twice: the same events per second
        }
        return Math.max(rate, 20);
    }

    private List<Msg> messages(int scenario, EventStream stream, Random random, List<String> notes) {
        List<Msg> msgs = new ArrayList<>();
        if (scenario == 4) {
            List<Poisons.Poison> poisons = Poisons.make(options.malformed());
            List<EventStream.Event> events = stream.events();
            int next = 0;
            for (int i = 0; i < events.size(); i++) {
                msgs.add(Msg.of(events.get(i)));
                while (next < poisons.size() && (long) (next + 1) * events.size() / (poisons.size() + 1) <= i) {
                    Poisons.Poison p = poisons.get(next++);
                    msgs.add(new Msg(p.topic(), p.key(), p.value(), p.headers(), p, null));
                }
            }
            while (next < poisons.size()) {
                Poisons.Poison p = poisons.get(next++);
                msgs.add(new Msg(p.topic(), p.key(), p.value(), p.headers(), p, null));
            }
            notes.add(poisons.stream().map(Poisons.Poison::kind).distinct().count() + " kinds of malformed messages");
        } else if (scenario == 5) {
            int stale = 0;
            for (EventStream.Event e : stream.events()) {
                msgs.add(Msg.of(e));
                msgs.add(Msg.of(e));
                if (e.kind() != EventStream.Kind.CREATE && e.kind() != EventStream.Kind.HARD_DELETE && random.nextDouble() < 0.2) {
                    EventStream.Event older = stream.earlierVersion(e, random);
                    if (older != null) {
                        msgs.add(Msg.of(older));
                        stale++;
                    }
                }
            }
            // and at the end, older versions of 10 % of the records that exist
            for (EventStream.Event last : stream.expectedPresent().values()) {
                if (random.nextDouble() < 0.1) {
                    EventStream.Event older = stream.earlierVersion(last, random);
                    if (older != null) {
                        msgs.add(Msg.of(older));
                        stale++;
                    }
                }
            }
            notes.add("every event twice, " + stale + " older versions re-published after newer ones");
        } else {
            stream.events().forEach(e -> msgs.add(Msg.of(e)));
        }
        return msgs;
    }

    // ---------------------------------------------------------------- faults

    private String killApp(Cluster cluster, KafkaWatch watch, Streamer streamer, Random random, List<String> notes) {
        int total = streamer.size();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < options.kills(); i++) {
            at.add((int) (total * (0.05 + 0.85 * random.nextDouble())));
        }
        at.sort(Integer::compare);
        List<Double> recoveries = new ArrayList<>();
        List<Long> lagAtKill = new ArrayList<>();
        List<Integer> killedAtMessage = new ArrayList<>();
        for (int point : at) {
            while (streamer.sent() < point && !streamer.done) {
                Cluster.sleep(20);
            }
            // a random moment: 1-4 s on (so that a kill never falls right on the previous restart's first commit)
            Cluster.sleep(1000 + random.nextInt(3000));
            if (streamer.done && watch.committedNow() >= streamer.sent()) {
                // the stream ended and was committed during the previous restart (a slow start on a busy machine):
                // a kill now leaves the restarted app nothing to commit, so there is no recovery to time
                notes.add("the kill at message " + point + " was skipped: the stream had ended and was committed before it");
                continue;
            }
            cluster.saveAppLog();
            long lag = watch.lag();
            int sentAtKill = streamer.sent();
            cluster.app.kill();
            long killedAt = System.nanoTime();
            long baseline = watch.committedNow();
            lagAtKill.add(lag);
            killedAtMessage.add(sentAtKill);
            cluster.startAppNoWait();
            double r = watch.awaitAdvance(baseline, killedAt, Duration.ofSeconds(180));
            recoveries.add(r);
            log(String.format(Locale.ROOT, "SIGKILL after message %d (lag %d): first commit of the restarted app %.1f s after the kill", sentAtKill, lag, r));
        }
        notes.add("kills at messages " + killedAtMessage + " of " + total + ", consumer lag at each kill " + lagAtKill);
        return String.format(Locale.ROOT, "kill -> first commit: mean %.1f s, max %.1f s",
                recoveries.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                recoveries.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    private String mongoOutage(Cluster cluster, KafkaWatch watch, Streamer streamer, List<String> notes) {
        while (streamer.sent() < streamer.size() / 4) {
            Cluster.sleep(20);
        }
        // SIGTERM: the server's shutdown hook closes the H2 store (see docs/reliability.md on why not SIGKILL)
        cluster.mongo.stop(60);
        long downAt = System.nanoTime();
        long committedAtStop = watch.committedNow();
        log("Mongo-wire server stopped at message " + streamer.sent());
        Cluster.sleep(options.mongoOutageSeconds() * 1000L);
        long committedBeforeRestart = watch.committedNow();
        cluster.startMongo();
        long upAt = System.nanoTime();
        log(String.format(Locale.ROOT, "Mongo-wire server back after %.1f s, at message %d", (upAt - downAt) / 1e9, streamer.sent()));
        double r = watch.awaitAdvance(committedBeforeRestart, upAt, Duration.ofSeconds(180));
        notes.add(String.format(Locale.ROOT, "down %.0f s; committed while down: %d", (upAt - downAt) / 1e9, committedBeforeRestart - committedAtStop));
        return String.format(Locale.ROOT, "Mongo back -> first commit: %.1f s", r);
    }

    private String brokerRestart(Cluster cluster, KafkaWatch watch, Streamer streamer, List<String> notes) {
        while (streamer.sent() < streamer.size() * 2 / 5) {
            Cluster.sleep(20);
        }
        long baseline = watch.committedNow();
        cluster.kafka.kill();
        long downAt = System.nanoTime();
        log("broker SIGKILLed at message " + streamer.sent());
        cluster.startKafka();
        long upAt = System.nanoTime();
        log(String.format(Locale.ROOT, "broker back after %.1f s (same port and log directory)", (upAt - downAt) / 1e9));
        double r = watch.awaitAdvance(Math.max(baseline, watch.committedNow()), upAt, Duration.ofSeconds(180));
        notes.add(String.format(Locale.ROOT, "broker down %.0f s (SIGKILL, restart on the same port and log directory)", (upAt - downAt) / 1e9));
        return String.format(Locale.ROOT, "broker back -> first commit: %.1f s", r);
    }

    // ---------------------------------------------------------------- producing

    static KafkaProducer<String, byte[]> producer(String brokers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // the broker may be down for a while (scenario 3): keep retrying, in order
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000);
        return new KafkaProducer<>(p);
    }

    /** Produces the messages at a steady rate; remembers where each one landed. */
    static final class Streamer implements Runnable {
        private final KafkaProducer<String, byte[]> producer;
        private final List<Msg> msgs;
        private final int rate;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger eventsSent = new AtomicInteger();
        final AtomicLong failed = new AtomicLong();
        volatile String firstFailure;
        volatile boolean done;
        volatile long finishedAt;

        Streamer(KafkaProducer<String, byte[]> producer, List<Msg> msgs, int rate) {
            this.producer = producer;
            this.msgs = msgs;
            this.rate = rate;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try {
                for (int i = 0; i < msgs.size(); i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    Msg m = msgs.get(i);
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(m.topic, m.key, m.value);
                    m.headers.forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                    producer.send(record, (meta, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                            if (firstFailure == null) {
                                firstFailure = e.toString();
                            }
                        } else {
                            m.partition = meta.partition();
                            m.offset = meta.offset();
                        }
                    });
                    sent.set(i + 1);
                    if (m.event != null) {
                        eventsSent.accumulateAndGet(m.event.seq(), Math::max);
                    }
                }
                producer.flush();
                finishedAt = System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done = true;
            }
        }

        int sent() {
            return sent.get();
        }

        /** How many events of the sequence have been sent (a prefix, for the REST readers). */
        int eventsSent() {
            return eventsSent.get();
        }

        int size() {
            return msgs.size();
        }
    }

    // ---------------------------------------------------------------- report

    public static String table(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append("| # | scenario | messages sent | valid messages | malformed | keys correct / expected | in DLQ (distinct) | lost | wrongly applied | written / stale / unchanged | recovery after the fault | catch-up after the last send | wall |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %,d | %,d | %,d | %,d / %,d | %,d (%,d) | %d | %d | %s | %s | %.1f s | %.0f s |%n",
                    r.scenario(), r.name(), r.messages(), r.validEvents(), r.malformed(), r.keysCorrect(), r.keys(), r.dlq(),
                    r.dlqDistinct(), r.lost(), r.wrong(), r.applied(), r.recovery(), r.catchUpSeconds(), r.wallSeconds()));
        }
        b.append('\n');
        for (Result r : results) {
            b.append("- ").append(r.scenario()).append(": ").append(String.join("; ", r.notes())).append('\n');
        }
        return b.toString();
    }

    static void log(String message) {
        System.out.println(LocalDateTime.now().withNano(0) + " faults - " + message);
        System.out.flush();
    }

    static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
