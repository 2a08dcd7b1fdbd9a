package org.lims.consumer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM of the benchmark (broker, Mongo-wire server, app): its output goes to a log file
 * through a pump thread that notes when watched lines first appear; /proc gives its CPU time and
 * peak RSS. Every child is registered for the shutdown hook, so none outlives the benchmark.
 */
final class Child implements AutoCloseable {

    private static final List<Child> ALL = new CopyOnWriteArrayList<>();
    private static final long CLK_TCK = clockTicks();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Child::stopAll, "bench-cleanup"));
    }

    final String name;
    final Process process;
    final Path log;
    final long startNanos;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final List<String> watched;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    final AtomicLong lines = new AtomicLong();

    private Child(String name, Process process, Path log, long startNanos, List<String> watched) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
        this.watched = watched;
    }

    static Child start(String name, List<String> command, Map<String, String> env, Path log, List<String> watched) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("LIMS_") || k.startsWith("CAMEL_"));
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            Child child = new Child(name, p, log, t0, watched);
            ALL.add(child);
            Thread pump = new Thread(child::pump, "pump-" + name);
            pump.setDaemon(true);
            pump.start();
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                lines.incrementAndGet();
                for (String w : watched) {
                    if (line.contains(w)) {
                        firstSeen.putIfAbsent(w, now);
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

    void onLine(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** nanoTime when {@code text} first appeared in the output, or null. */
    Long seen(String text) {
        return firstSeen.get(text);
    }

    /** Waits for a watched line; returns the text after it (e.g. the address of a READY line). */
    String await(String text, long timeoutSeconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (seen(text) == null) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before printing '" + text + "'; log: " + log + "\n" + tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print '" + text + "' within " + timeoutSeconds + " s; log: " + log + "\n" + tail(30));
            }
            Thread.sleep(50);
        }
        Thread.sleep(50); // let the pump write the line
        List<String> all = Files.readAllLines(log);
        for (int k = all.size() - 1; k >= 0; k--) {
            String line = all.get(k);
            int i = line.indexOf(text);
            if (i >= 0) {
                return line.substring(i + text.length()).trim();
            }
        }
        return "";
    }

    String tail(int n) {
        try {
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    /** utime + stime of the process (all threads), in seconds; -1 when gone. */
    double cpuSeconds() {
        return cpuSeconds(pid());
    }

    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU seconds (utime+stime) per thread group of a process: thread names from /proc/pid/task/x/comm (15 characters), thread numbers folded to #. */
    static Map<String, Double> threadCpu(long pid) {
        Map<String, Double> groups = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim().replaceAll("#\\d+", "#").replaceAll("-\\d+$", "-#");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
                    groups.merge(comm, cpu, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return groups;
    }

    /** {@code after - before} per group, largest first. */
    static List<Map.Entry<String, Double>> threadCpuDelta(Map<String, Double> before, Map<String, Double> after) {
        List<Map.Entry<String, Double>> delta = new ArrayList<>();
        after.forEach((k, v) -> delta.add(Map.entry(k, v - (before == null ? 0 : before.getOrDefault(k, 0.0)))));
        delta.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return delta;
    }

    /** Busy CPU seconds of the whole machine (all states but idle and iowait), from the first line of /proc/stat. */
    static double machineBusySeconds() {
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

    /** A field of /proc/pid/status in kB (VmHWM: peak RSS, VmRSS: current RSS), or -1. */
    long statusKb(String field) {
        return statusKb(pid(), field);
    }

    static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
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
    String jcmd(String... args) {
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

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    void stop(int graceSeconds) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        ALL.remove(this);
    }

    @Override
    public void close() {
        stop(15);
    }

    static void stopAll() {
        for (Child c : ALL) {
            c.process.descendants().forEach(ProcessHandle::destroyForcibly);
            c.process.destroyForcibly();
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
}
