package org.lims.consumer.testinfra;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/lims-consumer.jar}) as a separate process, for what an
 * in-process app cannot show: a SIGKILL, an exit code, the lines an operator reads.
 */
public final class LimsProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private LimsProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static Path jar() {
        String fromEnv = System.getenv("LIMS_APP_JAR");
        Path jar = Path.of(fromEnv != null ? fromEnv : "target/lims-consumer.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after 'package' (./mvnw verify)");
        }
        return jar;
    }

    public static LimsProcess start(Map<String, String> systemProperties, Map<String, String> environment) {
        return start(jar(), null, systemProperties, environment);
    }

    /** {@code java -jar <jar>} in {@code workDir} (null: this process's). */
    public static LimsProcess start(Path jar, Path workDir, Map<String, String> systemProperties, Map<String, String> environment) {
        try {
            Path log = Files.createTempFile("lims-app", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx512m");
            systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-jar");
            command.add(jar.toAbsolutePath().toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().keySet().removeIf(k -> k.startsWith("LIMS_") || k.startsWith("CAMEL_"));
            builder.environment().putAll(environment);
            return new LimsProcess(builder.start(), log);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process still running after " + seconds + " s; output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    public File logFile() {
        return log.toFile();
    }
}
