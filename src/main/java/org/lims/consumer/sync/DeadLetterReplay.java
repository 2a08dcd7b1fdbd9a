package org.lims.consumer.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.lims.consumer.observe.DeadLetterInspector;
import org.lims.consumer.observe.SyncMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code deadLetterReplay}: re-drives the dead-letter topic through the live sync path
 * ({@code dead-letter-replay.camel.yaml}). A replay reads, with its own consumer group, from that
 * group's committed position up to the end offsets of the moment it was asked for, so it ends. Each
 * record goes back to its source coordinates (topic, partition, offset) and through
 * {@code direct:sync-record} and the bulk write like a live event: what applies now is applied (the
 * stale guard makes a late replay a no-op), what fails again is dead-lettered again with its new
 * reason and {@code lims.dlq.attempts} one higher. Records filtered out by reason are appended to the
 * dead-letter topic unchanged, so that the group's position can pass them and a later replay still
 * finds them. The group's offsets are committed after a batch is applied, re-dead-lettered and
 * re-appended: a crash mid-replay loses nothing, and the next replay resumes. One replay at a time.
 */
public class DeadLetterReplay {

    public static final String APPLIED = "applied";
    public static final String DEAD_LETTERED_AGAIN = "dead_lettered_again";
    public static final String SKIPPED = "skipped";
    /** The results a replayed record can have ({@code lims_consumer_dlq_replayed_total{result}}). */
    public static final List<String> RESULTS = List.of(APPLIED, DEAD_LETTERED_AGAIN, SKIPPED);

    private static final Logger LOG = LoggerFactory.getLogger("org.lims.consumer.sync.replay");

    private final DeadLetterInspector topic;
    private final SyncMetrics metrics;
    private final long idleTimeoutMs;
    private final AtomicReference<Run> current = new AtomicReference<>();

    /** @param idleTimeoutMs a replay without progress this long (another instance holds the partition, MongoDB is down) ends incomplete */
    public DeadLetterReplay(DeadLetterInspector topic, SyncMetrics metrics, long idleTimeoutMs) {
        this.topic = topic;
        this.metrics = metrics;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** A request the replay refuses: answered with its status and a JSON detail. */
    public static class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String detail) {
            super(detail);
            this.status = status;
        }

        public int getStatus() {
            return status;
        }

        public String getJson() {
            return DeadLetterInspector.json(Map.of("detail", getMessage()));
        }
    }

    /** Starts a replay: the reasons to replay (none: all) and the most records to read. Refused while another one runs. */
    public Run begin(Exchange exchange) {
        Set<String> reasons = new LinkedHashSet<>();
        Object raw = exchange.getMessage().getHeader("reason");
        if (raw instanceof Iterable<?> many) {
            many.forEach(r -> addReasons(reasons, r));
        } else if (raw != null) {
            addReasons(reasons, raw);
        }
        long max = parseMax(exchange.getMessage().getHeader("max", String.class));
        Run run = new Run(reasons, max);
        if (!current.compareAndSet(null, run)) {
            throw new Refused(409, "a replay of " + topic.topic() + " is already running");
        }
        try {
            for (DeadLetterInspector.Range range : topic.ranges()) {
                if (range.pending() > 0) {
                    run.bounds.put(range.partition(), new long[] {range.replayStart(), range.end()});
                    run.next.put(range.partition(), range.replayStart());
                }
            }
        } catch (RuntimeException e) {
            current.compareAndSet(run, null);
            throw e;
        }
        if (run.bounds.isEmpty()) {
            run.finish(null, 200);
        }
        LOG.info("Replay of {} (group {}) started: {} records to read{}{}", topic.topic(), topic.replayGroup(), run.remaining(),
                reasons.isEmpty() ? "" : ", reasons " + reasons, max == Long.MAX_VALUE ? "" : ", at most " + max);
        return run;
    }

    private static void addReasons(Set<String> reasons, Object raw) {
        for (String r : raw.toString().split(",")) {
            if (!r.isBlank()) {
                reasons.add(r.trim());
            }
        }
    }

    private static long parseMax(String raw) {
        if (raw == null || raw.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            long max = Long.parseLong(raw.trim());
            if (max > 0) {
                return max;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Refused(400, "max must be a positive integer, got '" + (raw.length() > 40 ? raw.substring(0, 40) : raw) + "'");
    }

    /**
     * One batch of the replay consumer: the records within the replay's bounds, restored to their
     * source coordinates, and those filtered out by reason. Records past the bounds (or past
     * {@code max}) are left alone: not processed, not committed.
     */
    public ReplayBatch take(List<Exchange> batch) {
        Run run = current.get();
        ReplayBatch taken = new ReplayBatch(run);
        if (run == null) {
            return taken;
        }
        synchronized (run) {
            if (run.finished) {
                return taken;
            }
            run.progress();
            long read = run.read;
            for (Exchange exchange : batch) {
                Message m = exchange.getMessage();
                int partition = m.getHeader(KafkaConstants.PARTITION, -1, Integer.class);
                long offset = m.getHeader(KafkaConstants.OFFSET, -1L, Long.class);
                long[] bound = run.bounds.get(partition);
                if (bound == null || offset < run.next.get(partition)) {
                    continue;
                }
                if (offset >= bound[1]) {
                    // an offset past the end without the end itself: the records in between are gone (retention)
                    taken.next.put(partition, bound[1]);
                    continue;
                }
                if (read >= run.max) {
                    break;
                }
                read++;
                taken.commits.put(partition, m.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
                taken.next.put(partition, offset + 1);
                if (!run.reasons.isEmpty() && !run.reasons.contains(text(m, DeadLetters.REASON))) {
                    taken.skipped.add(m);
                } else {
                    restore(m);
                    taken.records.add(m);
                }
            }
        }
        return taken;
    }

    /** The original record as it arrived: source topic, partition and offset; the dead-letter description removed, attempts kept. */
    private static void restore(Message m) {
        String sourceTopic = text(m, DeadLetters.SOURCE_TOPIC);
        m.setHeader(KafkaConstants.TOPIC, sourceTopic == null || sourceTopic.isEmpty() ? null : sourceTopic);
        m.setHeader(KafkaConstants.PARTITION, (int) number(text(m, DeadLetters.SOURCE_PARTITION)));
        m.setHeader(KafkaConstants.OFFSET, number(text(m, DeadLetters.SOURCE_OFFSET)));
        for (String header : DeadLetters.DESCRIPTION_HEADERS) {
            m.removeHeader(header);
        }
        // the replay commits the dead-letter topic's offsets itself, per partition of that topic
        m.removeHeader(KafkaConstants.MANUAL_COMMIT);
    }

    private static long number(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String text(Message m, String header) {
        return DeadLetters.headerText(m, header);
    }

    /** After the batch's records were applied or dead-lettered again and the skipped ones re-appended: commit and count. */
    public void done(ReplayBatch batch, BatchPlan plan) {
        Run run = batch.run;
        if (run == null || batch.next.isEmpty()) {
            return;
        }
        for (KafkaManualCommit commit : batch.commits.values()) {
            if (commit != null) {
                commit.commit();
            }
        }
        int deadLetteredAgain = plan == null ? 0 : plan.deadLettered();
        int applied = batch.records.size() - deadLetteredAgain;
        if (plan != null && plan.records() != accounted(plan)) {
            LOG.error("Replay batch: {} records but {} outcomes; {}", plan.records(), accounted(plan), plan.summary());
        }
        synchronized (run) {
            run.read += batch.records.size() + batch.skipped.size();
            run.applied += applied;
            run.deadLetteredAgain += deadLetteredAgain;
            run.skipped += batch.skipped.size();
            batch.next.forEach((partition, next) -> run.next.merge(partition, next, Math::max));
            run.progress();
            if (run.read >= run.max || run.remaining() == 0) {
                run.finish(null, 200);
            }
        }
        metrics.replayed(APPLIED, applied);
        metrics.replayed(DEAD_LETTERED_AGAIN, deadLetteredAgain);
        metrics.replayed(SKIPPED, batch.skipped.size());
        LOG.info("Replayed {} dead letters: {} applied, {} dead-lettered again, {} skipped{}", batch.records.size() + batch.skipped.size(),
                applied, deadLetteredAgain, batch.skipped.size(), plan == null ? "" : " (" + plan.summary() + ")");
    }

    private static int accounted(BatchPlan plan) {
        int[] total = {0};
        for (BatchPlan.TopicTally t : plan.topics()) {
            total[0] += t.deadLettered();
        }
        for (CollectionWrites writes : plan.allCollections()) {
            writes.forEachOutcome((plant, outcome, n) -> total[0] += n);
        }
        return total[0];
    }

    /** A replay batch failed: nothing of it was committed, and the replay ends (the next one re-reads it). */
    public void failed(Exception exception) {
        Run run = current.get();
        if (run != null) {
            synchronized (run) {
                run.finish("a replay batch failed, nothing of it committed: " + exception.getMessage(), 500);
            }
        }
    }

    /** Waits until the replay read up to its bounds (or {@code max}), failed, made no progress for the idle timeout, or the app stops. */
    public void await(Run run, Exchange exchange) throws InterruptedException {
        synchronized (run) {
            while (!run.finished) {
                if (exchange.getContext().isStopping()) {
                    run.finish("the application is stopping", 503);
                } else if (System.nanoTime() - run.lastProgressNanos > TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs)) {
                    run.finish("no progress for " + idleTimeoutMs + " ms (lims.kafka.dlq-replay-idle-timeout-ms): another instance's replay"
                            + " may hold the partition, or MongoDB may be unavailable", 503);
                } else {
                    run.wait(500);
                }
            }
        }
    }

    /** The replay is over: the next one may start. */
    public void release(Run run) {
        if (run != null && current.compareAndSet(run, null)) {
            LOG.info("Replay of {} ended: {}", topic.topic(), run.answer());
        }
    }

    /** One replay: its bounds per partition of the dead-letter topic, its position and its counts. */
    public static final class Run {
        private final Set<String> reasons;
        private final long max;
        /** partition -> {first offset to read, end offset (exclusive)} */
        private final Map<Integer, long[]> bounds = new HashMap<>();
        private final Map<Integer, Long> next = new HashMap<>();
        private long read;
        private long applied;
        private long deadLetteredAgain;
        private long skipped;
        private volatile long lastProgressNanos = System.nanoTime();
        private boolean finished;
        private String incomplete;
        private int status = 200;

        Run(Set<String> reasons, long max) {
            this.reasons = reasons;
            this.max = max;
        }

        public synchronized boolean isFinished() {
            return finished;
        }

        void progress() {
            lastProgressNanos = System.nanoTime();
        }

        /** @param why null when the replay read all it was asked to, else why it stopped short */
        synchronized void finish(String why, int httpStatus) {
            if (!finished) {
                finished = true;
                incomplete = why;
                status = httpStatus;
                notifyAll();
            }
        }

        synchronized long remaining() {
            long remaining = 0;
            for (Map.Entry<Integer, long[]> e : bounds.entrySet()) {
                remaining += Math.max(0, e.getValue()[1] - next.get(e.getKey()));
            }
            return remaining;
        }

        /** The answer: {@code {"read", "applied", "dead_lettered_again", "skipped"}}, plus what is left and whether it ran to its end. */
        public synchronized String answer() {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("read", read);
            answer.put(APPLIED, applied);
            answer.put(DEAD_LETTERED_AGAIN, deadLetteredAgain);
            answer.put(SKIPPED, skipped);
            answer.put("remaining", remaining());
            answer.put("complete", incomplete == null);
            if (incomplete != null) {
                answer.put("detail", incomplete);
            }
            return DeadLetterInspector.json(answer);
        }

        /** 200 when the replay ran to its end (or its max), 500 when a batch failed, 503 when it could not progress. */
        public synchronized int status() {
            return status;
        }
    }

    /** What one replay batch took from the consumer's batch. */
    public static final class ReplayBatch {
        private final Run run;
        private final List<Message> records = new ArrayList<>();
        private final List<Message> skipped = new ArrayList<>();
        private final Map<Integer, KafkaManualCommit> commits = new HashMap<>();
        private final Map<Integer, Long> next = new HashMap<>();

        ReplayBatch(Run run) {
            this.run = run;
        }

        /** The records to send through the sync path, restored to their source coordinates. */
        public List<Message> getRecords() {
            return records;
        }

        /** The records filtered out by reason, as they are in the dead-letter topic: appended to it again. */
        public List<Message> getSkipped() {
            return skipped;
        }
    }
}
