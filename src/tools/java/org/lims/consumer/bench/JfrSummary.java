package org.lims.consumer.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Aggregates {@code jdk.ExecutionSample} events of a JFR recording within a time window (what
 * {@code jfr print --events jdk.ExecutionSample f.jfr} lists one by one): top frames (self time),
 * a category per sample (the first non-JDK frame from the top decides, so a JDK helper such as
 * {@code System.arraycopy} counts for the library that called it), inclusive shares of named
 * stages, and threads. GC pauses and heap come from the GC events of the same recording.
 */
final class JfrSummary {

    /** Ordered: the first rule whose prefix matches the frame's class wins. */
    private static final String[][] RULES = {
            {"org.lims.consumer.codec.Hex", "hex decoding (Hex.decode)"},
            {"com.fasterxml.jackson", "JSON parsing (Jackson streaming)"},
            {"org.lims.consumer.codec", "record codec (fields, dates)"},
            {"org.lims.consumer.sync", "sync beans (batch plan, stale guard)"},
            {"org.lims", "app (other)"},
            {"org.bson", "BSON"},
            {"com.mongodb", "Mongo driver (protocol, connection)"},
            {"org.apache.kafka", "Kafka"},
            {"kafka.", "Kafka"},
            {"scala.", "Kafka"},
            {"org.apache.camel.component.micrometer", "metrics (camel-micrometer, micrometer)"},
            {"io.micrometer", "metrics (camel-micrometer, micrometer)"},
            {"org.apache.camel", "Camel routing/runtime"},
            {"org.apache.logging", "logging (log4j)"},
            {"org.slf4j", "logging (log4j)"},
            {"de.bwaldvogel.mongo.wire.bson.BsonDecoder", "wire: BSON decoding of requests"},
            {"de.bwaldvogel.mongo.wire.bson.BsonEncoder", "wire: BSON encoding of replies"},
            {"de.bwaldvogel.mongo.wire", "wire protocol (other)"},
            {"de.bwaldvogel.mongo.backend.memory", "memory backend (storage)"},
            {"de.bwaldvogel.mongo.backend.h2", "H2 backend (mapping)"},
            {"org.h2", "H2 engine (MVStore)"},
            {"de.bwaldvogel.mongo.backend", "server core (query, index, update)"},
            {"de.bwaldvogel.mongo.bson", "server document model"},
            {"de.bwaldvogel", "server (other)"},
            {"io.netty", "netty (network I/O)"},
            {"io.vertx", "vert.x (HTTP servers)"},
            {"jdk.jfr", "JFR itself"},
    };

    /** Inclusive stages of the app: a sample counts for a stage when any frame of its stack matches. */
    static final Map<String, String[]> APP_STAGES = new LinkedHashMap<>();

    static {
        APP_STAGES.put("ImageRecordCodec.decode (JSON + hex + dates)", new String[]{"org.lims.consumer.codec.ImageRecordCodec.decode"});
        APP_STAGES.put("  of which Hex.decode", new String[]{"org.lims.consumer.codec.Hex.decode"});
        APP_STAGES.put("Mongo bulkWrite (driver, BSON encoding, wait)", new String[]{"com.mongodb.client.internal.MongoCollectionImpl.bulkWrite",
                "com.mongodb.client.internal.MongoCollectionImpl.executeBulkWrite"});
        APP_STAGES.put("Mongo find of stored versions", new String[]{"com.mongodb.client.internal.FindIterableImpl",
                "com.mongodb.client.internal.MongoBatchCursorAdapter", "com.mongodb.client.internal.MongoIterableImpl"});
        APP_STAGES.put("Kafka consumer poll (fetch, records)", new String[]{"org.apache.kafka.clients.consumer.KafkaConsumer.poll",
                "org.apache.kafka.clients.consumer.internals.ClassicKafkaConsumer.poll"});
        APP_STAGES.put("Kafka offset commit", new String[]{"commitAsync", "commitSync"});
        APP_STAGES.put("batch log line (Offsets.commit)", new String[]{"org.lims.consumer.sync.Offsets.commit"});
        APP_STAGES.put("metrics: camel-micrometer route policy + exchange event notifier", new String[]{"org.apache.camel.component.micrometer"});
        APP_STAGES.put("Camel route processing (any Camel frame)", new String[]{"org.apache.camel."});
    }

    final String title;
    long samples;
    final Map<String, Long> topFrames = new HashMap<>();
    final Map<String, String> topFrameCategory = new HashMap<>();
    final Map<String, Long> categories = new HashMap<>();
    final Map<String, Long> threads = new HashMap<>();
    final Map<String, Long> stages = new LinkedHashMap<>();
    long gcCount;
    Duration gcPauses = Duration.ZERO;
    long heapUsedBeforeGcMax;
    long heapCommittedMax;
    double jvmCpuSum;
    double machineCpuSum;
    int cpuLoadEvents;
    Duration window = Duration.ZERO;

    private JfrSummary(String title) {
        this.title = title;
    }

    static JfrSummary read(String title, Path file, Instant from, Instant to, Map<String, String[]> stages) throws IOException {
        JfrSummary s = new JfrSummary(title);
        s.window = Duration.between(from, to);
        stages.keySet().forEach(k -> s.stages.put(k, 0L));
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                Instant t = e.getStartTime();
                if (t.isBefore(from) || t.isAfter(to)) {
                    continue;
                }
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> s.sample(e, stages);
                    case "jdk.GarbageCollection" -> {
                        s.gcCount++;
                        s.gcPauses = s.gcPauses.plus(e.getDuration("sumOfPauses"));
                    }
                    case "jdk.GCHeapSummary" -> {
                        if ("Before GC".equals(e.getString("when"))) {
                            s.heapUsedBeforeGcMax = Math.max(s.heapUsedBeforeGcMax, e.getLong("heapUsed"));
                        }
                        RecordedObjectView.committed(e).ifPresent(c -> s.heapCommittedMax = Math.max(s.heapCommittedMax, c));
                    }
                    case "jdk.CPULoad" -> {
                        s.jvmCpuSum += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                        s.machineCpuSum += e.getFloat("machineTotal");
                        s.cpuLoadEvents++;
                    }
                    default -> {
                    }
                }
            }
        }
        return s;
    }

    /** jdk.GCHeapSummary nests the committed size in heapSpace. */
    private static final class RecordedObjectView {
        static java.util.Optional<Long> committed(RecordedEvent e) {
            try {
                return java.util.Optional.of(e.getLong("heapSpace.committedSize"));
            } catch (RuntimeException ex) {
                return java.util.Optional.empty();
            }
        }
    }

    private void sample(RecordedEvent e, Map<String, String[]> stageRules) {
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
            return;
        }
        samples++;
        List<RecordedFrame> frames = st.getFrames();
        String top = name(frames.get(0));
        topFrames.merge(top, 1L, Long::sum);
        String category = categorize(frames);
        topFrameCategory.putIfAbsent(top, category);
        categories.merge(category, 1L, Long::sum);
        RecordedThread thread = e.getThread("sampledThread");
        String tn = thread == null ? "?" : String.valueOf(thread.getJavaName()).replaceAll("\\d+", "#");
        threads.merge(tn, 1L, Long::sum);
        for (var stage : stageRules.entrySet()) {
            if (matchesAny(frames, stage.getValue())) {
                stages.merge(stage.getKey(), 1L, Long::sum);
            }
        }
    }

    private static boolean matchesAny(List<RecordedFrame> frames, String[] needles) {
        for (RecordedFrame f : frames) {
            String n = name(f);
            for (String needle : needles) {
                if (n.contains(needle)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static String categorize(List<RecordedFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            String cls = frames.get(i).getMethod().getType().getName();
            if (isJdk(cls)) {
                continue;
            }
            for (String[] rule : RULES) {
                if (cls.startsWith(rule[0])) {
                    return rule[1].equals("BSON") ? bsonDirection(frames, i) : rule[1];
                }
            }
            int dot = cls.indexOf('.', cls.indexOf('.') + 1);
            return "other: " + (dot > 0 ? cls.substring(0, dot) : cls);
        }
        String top = frames.get(0).getMethod().getType().getName();
        return "JDK only (" + top.substring(0, Math.max(0, top.lastIndexOf('.'))) + ")";
    }

    /** org.bson frames: encoding (writer, output buffer, codec encode) or decoding (reader, codec decode). */
    private static String bsonDirection(List<RecordedFrame> frames, int from) {
        for (int i = from; i < frames.size(); i++) {
            String cls = frames.get(i).getMethod().getType().getName();
            String m = frames.get(i).getMethod().getName();
            if (!cls.startsWith("org.bson") && !isJdk(cls)) {
                break;
            }
            if (cls.contains("Writer") || cls.contains("OutputBuffer") || cls.contains("OutputStream") || m.startsWith("encode") || m.startsWith("write")) {
                return "BSON encoding";
            }
            if (cls.contains("Reader") || cls.contains("Input") || m.startsWith("decode") || m.startsWith("read")) {
                return "BSON decoding";
            }
        }
        return "BSON (other)";
    }

    private static boolean isJdk(String cls) {
        return cls.startsWith("java.") || cls.startsWith("jdk.internal") || cls.startsWith("sun.") || cls.startsWith("javax.")
                || cls.startsWith("com.sun.");
    }

    String render(int topN) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "#### %s%n%n", title));
        sb.append(String.format(Locale.ROOT, "%d execution samples in a %.1f s window", samples, window.toMillis() / 1000.0));
        if (cpuLoadEvents > 0) {
            sb.append(String.format(Locale.ROOT, "; JVM CPU %.0f %% of the machine on average (machine total %.0f %%)",
                    100 * jvmCpuSum / cpuLoadEvents, 100 * machineCpuSum / cpuLoadEvents));
        }
        sb.append(String.format(Locale.ROOT, "; %d GCs, %d ms of pauses", gcCount, gcPauses.toMillis()));
        if (heapUsedBeforeGcMax > 0) {
            sb.append(String.format(Locale.ROOT, "; heap used before GC max %d MB, committed max %d MB",
                    heapUsedBeforeGcMax >> 20, heapCommittedMax >> 20));
        }
        sb.append(".\n\n");
        sb.append("| category (self time) | samples | % |\n|---|---:|---:|\n");
        sorted(categories).forEach(e -> sb.append(row(e.getKey(), e.getValue())));
        sb.append("\n| top frame | category | samples | % |\n|---|---|---:|---:|\n");
        sorted(topFrames).stream().limit(topN).forEach(e -> sb.append(String.format(Locale.ROOT, "| `%s` | %s | %d | %.1f |%n",
                e.getKey(), topFrameCategory.get(e.getKey()), e.getValue(), pct(e.getValue()))));
        if (!stages.isEmpty()) {
            sb.append("\n| stage (inclusive: a frame anywhere in the stack) | samples | % |\n|---|---:|---:|\n");
            stages.forEach((k, v) -> sb.append(row(k, v)));
        }
        sb.append("\n| thread | samples | % |\n|---|---:|---:|\n");
        sorted(threads).stream().limit(8).forEach(e -> sb.append(row(e.getKey(), e.getValue())));
        return sb.toString();
    }

    private String row(String k, long v) {
        return String.format(Locale.ROOT, "| %s | %d | %.1f |%n", k, v, pct(v));
    }

    private double pct(long v) {
        return samples == 0 ? 0 : 100.0 * v / samples;
    }

    private static List<Map.Entry<String, Long>> sorted(Map<String, Long> m) {
        List<Map.Entry<String, Long>> list = new ArrayList<>(m.entrySet());
        list.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        return list;
    }
}
