package org.lims.consumer.testinfra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A child JVM: the packaged application ({@code java -jar target/lims-consumer.jar}) for what an
 * in-process app cannot show (a SIGKILL, an exit code, the lines an operator reads), or a main class
 * of the test classpath (the broker and the Mongo-wire server of the fault harness and the
 * benchmark). Its output goes to a log file through a pump thread that notes when watched lines
 * first appear; /proc gives its CPU time and memory. Every child is killed by a shutdown hook if it
 * is still alive when this JVM ends, so none outlives a test or a tool.
 */
public final class ChildProcess implements AutoCloseable {

    private static final List<ChildProcess> ALIVE = new CopyOnWriteArrayList<>();
    private static final long CLK_TCK = clockTicks();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::killAll, "child-process-cleanup"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    /** where this process's output starts in {@link #log} (a restarted server appends to the log of its predecessor) */
    private final long logStart;
    private final long startNanos;
    private final Thread pump;
    private final List<String> watched = new CopyOnWriteArrayList<>();
    private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
    private final Map<String, String> firstLine = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    private ChildProcess(String name, ProcessBuilder builder, Path log, List<String> watch) throws IOException {
        this.name = name;
        this.log = log;
        this.watched.addAll(watch);
        Files.createDirectories(log.toAbsolutePath().getParent());
        this.logStart = Files.exists(log) ? Files.size(log) : 0;
        this.startNanos = System.nanoTime();
        this.process = builder.start();
        ALIVE.add(this);
        this.pump = new Thread(this::pump, "pump-" + name);
        this.pump.setDaemon(true);
        this.pump.start();
    }

    // ------------------------------------------------------------------------------------------ starting

    /** {@code java -jar <jar>}. */
    public static Spec jar(Path jar) {
        return new Spec("app", List.of("-jar", jar.toAbsolutePath().toString()));
    }

    /** {@code java <arguments>}: a Java program with a classpath of its own (the benchmark's Kafka Connect worker). */
    public static Spec java(String name, List<String> arguments) {
        return new Spec(name, new ArrayList<>(arguments));
    }

    /** Any program (not this JVM's {@code java}): the image's own JVM, started by {@code run-image.sh}. */
    public static Spec program(String name, List<String> command) {
        Spec spec = new Spec(name, new ArrayList<>(command));
        spec.runsJava = false;
        return spec;
    }

    /** The JVM a started process is or runs (run-image.sh runs it a few processes down, in its namespace). */
    public static ProcessHandle jvm(ProcessHandle started) {
        return Stream.concat(Stream.of(started), started.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no java process under " + started.pid()));
    }

    /** {@code java -cp <this JVM's classpath> <mainClass> <args>}. */
    public static Spec mainClass(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of("-cp", classpath(), mainClass));
        command.addAll(Arrays.asList(args));
        return new Spec(mainClass.substring(mainClass.lastIndexOf('.') + 1), command);
    }

    /** The packaged app as the integration tests run it: {@code java -Xmx512m -D<k>=<v>... -jar target/lims-consumer.jar}. */
    public static ChildProcess app(Map<String, String> systemProperties, Map<String, String> environment) {
        return jar(appJar()).jvmArgs("-Xmx512m").systemProperties(systemProperties).environment(environment).start();
    }

    /** The production jar: {@code LIMS_APP_JAR} (set by Failsafe), else {@code target/lims-consumer.jar}. */
    public static Path appJar() {
        String fromEnv = System.getenv("LIMS_APP_JAR");
        Path jar = Path.of(fromEnv != null ? fromEnv : "target/lims-consumer.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: it is built by 'package' (./mvnw verify, or ./mvnw -DskipTests package)");
        }
        return jar;
    }

    /**
     * The classpath this JVM runs with (dev, tools and test classes and their dependencies): under
     * Maven Failsafe the real one is in {@code surefire.test.class.path}, java.class.path being its booter.
     */
    public static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** What to start and how; {@link #start()} starts it. */
    public static final class Spec {
        private final List<String> target;
        private String name;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workDir;
        private Path log;
        private final List<String> watch = new ArrayList<>();
        private boolean runsJava = true;

        private Spec(String name, List<String> target) {
            this.name = name;
            this.target = target;
        }

        /** In messages and the pump thread's name. */
        public Spec name(String name) {
            this.name = name;
            return this;
        }

        public Spec jvmArgs(String... args) {
            jvmArgs.addAll(Arrays.asList(args));
            return this;
        }

        public Spec jvmArgs(List<String> args) {
            jvmArgs.addAll(args);
            return this;
        }

        public Spec systemProperties(Map<String, String> properties) {
            systemProperties.putAll(properties);
            return this;
        }

        /** Added to this JVM's environment less its {@code LIMS_*} and {@code CAMEL_*} variables, which would configure the child. */
        public Spec environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** The working directory (default: this process's). */
        public Spec workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** The log file, appended to (default: a new temporary file). */
        public Spec log(Path file) {
            this.log = file;
            return this;
        }

        /** Lines whose first appearance {@link ChildProcess#seen} reports. */
        public Spec watch(String... texts) {
            watch.addAll(Arrays.asList(texts));
            return this;
        }

        public ChildProcess start() {
            List<String> command = new ArrayList<>();
            if (runsJava) {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(jvmArgs);
                systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            }
            command.addAll(target);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().keySet().removeIf(k -> k.startsWith("LIMS_") || k.startsWith("CAMEL_"));
            builder.environment().putAll(environment);
            try {
                Path file = log != null ? log : Files.createTempFile("lims-" + name.toLowerCase(java.util.Locale.ROOT) + "-", ".log");
                return new ChildProcess(name, builder, file, watch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Starts the process and waits for its {@code ready} line; a process that does not print it is killed. */
        public ChildProcess startAndAwait(String ready, long timeoutSeconds) {
            ChildProcess child = start();
            try {
                child.await(ready, timeoutSeconds);
                return child;
            } catch (RuntimeException e) {
                child.kill();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ output

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                for (String w : watched) {
                    if (line.contains(w) && firstSeenNanos.putIfAbsent(w, now) == null) {
                        firstLine.put(w, line);
                    }
                }
                for (Consumer<String> l : listeners) {
                    l.accept(line);
                }
                out.println(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Called with every line from now on, on the pump thread. */
    public void onLine(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** {@link System#nanoTime()} when a {@linkplain Spec#watch watched} text first appeared in the output, or null. */
    public Long seen(String text) {
        return firstSeenNanos.get(text);
    }

    /** Waits for a line containing {@code text}; returns the rest of that line (e.g. the address of a READY line). */
    public String await(String text, long timeoutSeconds) {
        if (!watched.contains(text)) {
            watched.add(text);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            boolean ended = !process.isAlive() && !pump.isAlive();
            // the pump notes the line from now on; one printed before it was watched is in the log
            String line = firstLine.get(text);
            if (line == null) {
                line = output().lines().filter(l -> l.contains(text)).findFirst().orElse(null);
            }
            if (line != null) {
                return line.substring(line.indexOf(text) + text.length()).trim();
            }
            if (ended) {
                throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before printing '" + text + "'; log "
                        + log + ":\n" + tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print '" + text + "' within " + timeoutSeconds + " s; log " + log
                        + ":\n" + tail(30));
            }
            sleep(50);
        }
    }

    /** Everything this process printed so far (stdout and stderr). */
    public String output() {
        try {
            byte[] all = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
            int from = (int) Math.min(logStart, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code n} lines of the output. */
    public String tail(int n) {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    public Path log() {
        return log;
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startNanos() {
        return startNanos;
    }

    // ------------------------------------------------------------------------------------------ life cycle

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code of a process that has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Waits for the process to end by itself; returns its exit code, its output complete. */
    public int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " still running after " + seconds + " s; output:\n" + output());
        }
        ended();
        return process.exitValue();
    }

    /**
     * SIGTERM (shutdown hooks run: camel-main stops its routes, the H2 store is closed, the broker
     * shuts down in order), then SIGKILL after {@code graceSeconds}. Through the process handle:
     * {@link Process#destroy()} would also close this side of the child's output pipe, losing
     * what the child prints while it shuts down.
     */
    public void stop(long graceSeconds) {
        if (process.isAlive()) {
            process.toHandle().destroy();
            try {
                if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
        ended();
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    public void kill() {
        process.toHandle().destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ended();
    }

    /** SIGTERM with 20 s of grace. */
    @Override
    public void close() {
        stop(20);
    }

    /** Lets the pump write the last lines, so that {@link #output()} is complete. */
    private void ended() {
        if (!process.isAlive()) {
            ALIVE.remove(this);
            try {
                pump.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void killAll() {
        for (ChildProcess c : ALIVE) {
            c.process.descendants().forEach(ProcessHandle::destroyForcibly);
            c.process.toHandle().destroyForcibly();
        }
    }

    // ------------------------------------------------------------------------------------------ measurements

    public long pid() {
        return process.pid();
    }

    /** utime + stime of the process (all threads), in seconds; -1 when gone. */
    public double cpuSeconds() {
        return cpuSeconds(pid());
    }

    /** utime + stime of any process, from /proc/pid/stat, in seconds; -1 when gone. */
    public static double cpuSeconds(long pid) {
        try {
            return cpu(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU seconds per thread group of this process. */
    public Map<String, Double> threadCpu() {
        return threadCpu(pid());
    }

    /** CPU seconds (utime+stime) per thread group of a process: thread names from /proc/pid/task/x/comm (15 characters), thread numbers folded to #. */
    public static Map<String, Double> threadCpu(long pid) {
        Map<String, Double> groups = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim().replaceAll("#\\d+", "#").replaceAll("-\\d+$", "-#");
                    groups.merge(comm, cpu(Files.readString(task.resolve("stat"))), Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return groups;
    }

    /** Busy CPU seconds of the whole machine (all states but idle and iowait), from the first line of /proc/stat. */
    public static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / (double) CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double cpu(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
    }

    /** Peak resident memory (VmHWM) in kB, or -1 when gone. */
    public long peakRssKb() {
        return statusKb("VmHWM");
    }

    /** Current resident memory (VmRSS) in kB, or -1 when gone. */
    public long rssKb() {
        return statusKb("VmRSS");
    }

    private long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith(field + ":")) {
                    Matcher m = Pattern.compile("(\\d+)").matcher(line);
                    return m.find() ? Long.parseLong(m.group(1)) : -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** Runs {@code jcmd <pid> args...}; returns its output. */
    public String jcmd(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(String.valueOf(pid()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "jcmd failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "jcmd interrupted";
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
