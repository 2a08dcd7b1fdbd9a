package org.lims.consumer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The peer lims-consumer is measured against: Kafka Connect standalone (connect-runtime 3.9.1) with the
 * MongoDB sink connector 2.0.1, configured as issue 11 asks ({@code src/tools/connect/sink.properties}).
 * Its jars are resolved by the separate build {@code src/tools/connect/pom.xml}, never put on the app's
 * or the benchmark's classpath (Connect brings its own Jackson, Jetty and SLF4J binding).
 */
final class ConnectSink {

    static final Path SOURCES = Path.of("src/tools/connect");
    static final Path BUILT = Path.of("target/tools-connect");
    static final String MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectStandalone";
    /** Logged once the sink task has its consumer and starts polling. */
    static final String TASK_STARTED = "Sink task finished initialization and start";

    private ConnectSink() {
    }

    /** Runs the separate build unless its output is newer than the pom. */
    static void prepare() throws IOException, InterruptedException {
        Path classpath = BUILT.resolve("worker.classpath");
        Path pom = SOURCES.resolve("pom.xml");
        if (Files.exists(classpath) && Files.getLastModifiedTime(classpath).compareTo(Files.getLastModifiedTime(pom)) > 0) {
            return;
        }
        Process build = new ProcessBuilder("./mvnw", "-q", "-B", "-f", pom.toString(), "package").inheritIO().start();
        if (!build.waitFor(10, TimeUnit.MINUTES) || build.exitValue() != 0) {
            throw new IllegalStateException("the Kafka Connect build (" + pom + ") failed");
        }
    }

    /**
     * The arguments (after {@code java}) of a Connect standalone worker running one sink connector named {@code name}
     * (consumer group {@code connect-<name>}), with its rendered properties in {@code runDir}.
     */
    static List<String> arguments(String name, String brokers, String mongoUri, String database, Map<String, String> topicToCollection,
                                int restPort, int maxPollRecords, List<String> jvmArgs, Path runDir) {
        try {
            Files.createDirectories(runDir);
            Map<String, String> vars = new TreeMap<>();
            vars.put("BOOTSTRAP", brokers);
            vars.put("RUN_DIR", runDir.toAbsolutePath().toString());
            vars.put("PLUGIN_PATH", BUILT.resolve("plugins").toAbsolutePath().toString());
            vars.put("REST_PORT", String.valueOf(restPort));
            vars.put("MAX_POLL", String.valueOf(maxPollRecords));
            vars.put("CONNECTOR_NAME", name);
            vars.put("TOPICS", String.join(",", topicToCollection.keySet()));
            vars.put("MONGO_URI", mongoUri);
            vars.put("DATABASE", database);
            vars.put("COLLECTIONS", topicToCollection.entrySet().stream()
                    .map(e -> "topic.override." + e.getKey() + ".collection=" + e.getValue()).collect(Collectors.joining("\n")));
            Path worker = render(SOURCES.resolve("worker.properties"), runDir.resolve("worker.properties"), vars);
            Path sink = render(SOURCES.resolve("sink.properties"), runDir.resolve("sink.properties"), vars);
            String classpath = Files.readString(BUILT.resolve("worker.classpath")).trim();
            List<String> cmd = new ArrayList<>(jvmArgs);
            cmd.add("-Dlog4j.configuration=file:" + SOURCES.resolve("connect-log4j.properties").toAbsolutePath());
            cmd.addAll(List.of("-cp", classpath, MAIN_CLASS, worker.toAbsolutePath().toString(), sink.toAbsolutePath().toString()));
            return cmd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path render(Path template, Path target, Map<String, String> vars) throws IOException {
        String text = Files.readString(template);
        for (var e : vars.entrySet()) {
            text = text.replace("${" + e.getKey() + "}", e.getValue());
        }
        if (text.contains("${")) {
            throw new IllegalStateException(template + " has a variable the benchmark does not fill in");
        }
        Files.writeString(target, text);
        return target;
    }
}
