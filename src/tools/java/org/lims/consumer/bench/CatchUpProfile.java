package org.lims.consumer.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a catch-up's CPU goes, from a JFR recording of the app ({@code SideBySide --app-jfr}): samples per
 * thread, the start-up (main thread) by inclusive stage, the pipeline thread by category, and the JIT's
 * compilations by compiler and package.
 *
 * <pre>java -cp ... org.lims.consumer.bench.CatchUpProfile target/bench/side-.../lims.jfr</pre>
 */
final class CatchUpProfile {

    /** Inclusive start-up stages: a main-thread sample counts for the first stage one of whose frames it holds. */
    private static final String[][] STARTUP_STAGES = {
            {"Kafka/Mongo connectivity check", "org.lims.consumer.config.ConnectivityCheck"},
            {"YAML route loading", "org.apache.camel.dsl.yaml", "org.snakeyaml"},
            {"REST DSL and OpenAPI", "org.apache.camel.openapi", "io.swagger", "org.apache.camel.model.rest", "org.apache.camel.component.rest"},
            {"HTTP servers (vert.x, platform-http)", "io.vertx", "org.apache.camel.component.platform.http"},
            {"metrics (micrometer, prometheus)", "io.micrometer", "org.apache.camel.component.micrometer"},
            {"Mongo client", "com.mongodb"},
            {"Kafka clients", "org.apache.kafka"},
            {"properties and auto-configuration", "org.apache.camel.main.BaseMainSupport.autoconfigure",
                    "org.apache.camel.main.MainHelper", "org.apache.camel.main.PropertyBindingSupport",
                    "org.apache.camel.support.PropertyBindingSupport"},
            {"route start (endpoints, processors)", "org.apache.camel.impl.engine.AbstractCamelContext.start",
                    "org.apache.camel.impl.engine.AbstractCamelContext.doStart", "org.apache.camel.impl.engine.AbstractCamelContext.doInit"},
            {"logging", "org.apache.logging"},
            {"class loading (other)", "java.lang.ClassLoader.loadClass", "jdk.internal.loader"},
    };

    private CatchUpProfile() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println(render(Path.of(args[0])));
    }

    static String render(Path jfr) throws IOException {
        Map<String, Long> perThread = new HashMap<>();
        Map<String, Long> startup = new LinkedHashMap<>();
        for (String[] stage : STARTUP_STAGES) {
            startup.put(stage[0], 0L);
        }
        startup.put("other", 0L);
        long mainSamples = 0;
        Map<String, Long> pipeline = new LinkedHashMap<>();
        long pipelineSamples = 0;
        Map<String, double[]> jit = new HashMap<>();
        double[] jitByCompiler = new double[2];
        long[] compilations = new long[2];
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                RecordedThread t = e.getThread("sampledThread");
                String name = t == null ? "?" : t.getJavaName() == null ? t.getOSName() : t.getJavaName();
                String group = name.replaceAll("#\\d+", "#").replaceAll("\\d+", "#");
                perThread.merge(group, 1L, Long::sum);
                List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
                if (name.equals("main")) {
                    mainSamples++;
                    startup.merge(startupStage(frames), 1L, Long::sum);
                } else if (name.startsWith("Camel") && name.contains("KafkaConsumer")) {
                    pipelineSamples++;
                    pipeline.merge(frames.isEmpty() ? "?" : JfrSummary.categorize(frames), 1L, Long::sum);
                }
            } else if (type.equals("jdk.Compilation")) {
                RecordedMethod m = e.getValue("method");
                int c2 = e.getInt("compileLevel") == 4 ? 1 : 0;
                double ms = e.getDuration().toNanos() / 1e6;
                jitByCompiler[c2] += ms;
                compilations[c2]++;
                String pkg = m == null ? "?" : packageOf(m.getType().getName());
                jit.computeIfAbsent(pkg, k -> new double[2])[c2] += ms;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("### Profile: ").append(jfr.getFileName()).append("\n\n");
        sb.append("JFR execution samples (every 10 ms of a running Java thread) by thread: ");
        perThread.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
                .forEach(en -> sb.append('`').append(en.getKey()).append("` ").append(en.getValue()).append(", "));
        sb.setLength(sb.length() - 2);
        sb.append(".\n\n");
        sb.append("Start-up, main thread (").append(mainSamples).append(" samples), by the first stage a sample's stack holds:\n\n");
        sb.append("| stage | samples | share |\n|---|---:|---:|\n");
        appendShares(sb, startup, mainSamples);
        sb.append("\nPipeline, Kafka consumer thread (").append(pipelineSamples).append(" samples), by the first non-JDK frame from the top:\n\n");
        sb.append("| category | samples | share |\n|---|---:|---:|\n");
        appendShares(sb, sorted(pipeline), pipelineSamples);
        sb.append(String.format(Locale.ROOT, "%nJIT: C1 %d compilations, %.1f s; C2 %d compilations, %.1f s (compile durations, wall). By package:%n%n",
                compilations[0], jitByCompiler[0] / 1000, compilations[1], jitByCompiler[1] / 1000));
        sb.append("| package | C1 s | C2 s |\n|---|---:|---:|\n");
        jit.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1])).limit(15)
                .forEach(en -> sb.append(String.format(Locale.ROOT, "| `%s` | %.2f | %.2f |%n", en.getKey(), en.getValue()[0] / 1000, en.getValue()[1] / 1000)));
        return sb.toString();
    }

    private static String startupStage(List<RecordedFrame> frames) {
        for (String[] stage : STARTUP_STAGES) {
            for (RecordedFrame f : frames) {
                String where = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                for (int i = 1; i < stage.length; i++) {
                    if (where.startsWith(stage[i])) {
                        return stage[0];
                    }
                }
            }
        }
        return "other";
    }

    private static String packageOf(String cls) {
        String[] parts = cls.split("\\.");
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(parts.length - 1, cls.startsWith("org.apache.camel") ? 4 : 3)));
    }

    private static Map<String, Long> sorted(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        new ArrayList<>(m.entrySet()).stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static void appendShares(StringBuilder sb, Map<String, Long> counts, long total) {
        counts.forEach((k, v) -> {
            if (v > 0) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f %% |%n", k, v, 100.0 * v / Math.max(1, total)));
            }
        });
    }
}
