package org.lims.consumer.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lims.consumer.testinfra.LimsProcess;

/**
 * A broker or a Mongo-wire server as a separate JVM ({@code org.lims.consumer.dev.EmbeddedKafka} /
 * {@code EmbeddedMongo} from the packaged jar), started and awaited by its READY line, stopped with
 * SIGTERM or SIGKILL.
 */
public final class ChildJava implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJava(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildJava start(String name, String ready, Path log, String heap, String mainClass, String... args) {
        String classpath = classpath();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            ChildJava child = new ChildJava(name, builder.start(), log);
            long size = Files.size(log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                String out = Files.readString(log);
                if (out.substring((int) Math.min(size, out.length())).contains(ready)) {
                    return child;
                }
                if (!child.process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + child.process.exitValue() + ":\n" + out);
                }
                Thread.sleep(100);
            }
            child.kill();
            throw new IllegalStateException(name + " not ready within 120 s; see " + log);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The classpath this JVM runs with (dev, tools and test classes and their dependencies): under
     * Maven Failsafe the real one is in {@code surefire.test.class.path}, java.class.path being its booter.
     */
    public static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** SIGTERM: the server's shutdown hook closes it (the H2 store is flushed, the broker shuts down in order). */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: nothing runs in the process any more. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
