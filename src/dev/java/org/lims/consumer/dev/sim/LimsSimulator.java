package org.lims.consumer.dev.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LIMS jobs of the contract, driving the {@link ImageApi} on simulated time:
 *
 * <table>
 * <tr><th>job</th><th>period</th><th>what it does</th></tr>
 * <tr><td>camera</td><td>100 s</td><td>creates an image of a random plant</td></tr>
 * <tr><td>recognizer</td><td>100 s</td><td>classifies one unclassified image</td></tr>
 * <tr><td>users: toggle-active</td><td>300 s</td><td>toggles {@code is_active} of a random image</td></tr>
 * <tr><td>users: edit-metadata</td><td>300 s</td><td>edits {@code camera_id} and {@code gps_coordinates}</td></tr>
 * <tr><td>users: soft-delete</td><td>700 s</td><td>soft-deletes a random image</td></tr>
 * </table>
 *
 * <p>Periods are divided by the job-rate multiplier; each job starts at a random phase within
 * its period. Extra periodic tasks (the batch synchronizer) join the same event loop: at equal
 * times the jobs run first. The loop runs events one at a time, so a task sees a producer
 * database that does not change under it.
 */
public final class LimsSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(LimsSimulator.class);

    public static final long CAMERA_MS = 100_000;
    public static final long RECOGNIZER_MS = 100_000;
    public static final long TOGGLE_MS = 300_000;
    public static final long EDIT_MS = 300_000;
    public static final long DELETE_MS = 700_000;

    private final ImageApi api;
    private final SimClock clock;
    private final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long order;
    private volatile boolean running;
    private Thread thread;

    private final class Event implements Comparable<Event> {
        final String name;
        final long period;
        final int priority;
        final LongConsumer action;
        long due;
        long tie;

        Event(String name, long period, long first, int priority, LongConsumer action) {
            this.name = name;
            this.period = period;
            this.priority = priority;
            this.action = action;
            this.due = first;
            this.tie = order++;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(due, o.due);
            if (c == 0) {
                c = Integer.compare(priority, o.priority);
            }
            return c != 0 ? c : Long.compare(tie, o.tie);
        }
    }

    public LimsSimulator(ImageApi api, SimClock clock, double rateMultiplier, Random random) {
        this.api = api;
        this.clock = clock;
        this.random = random;
        job("camera", CAMERA_MS, rateMultiplier, () -> api.create(api.randomPlant(), "camera", clock.stamp()));
        job("recognizer", RECOGNIZER_MS, rateMultiplier, () -> {
            String plant = api.plantWithUnclassified();
            if (plant != null) {
                api.classifyOne(plant);
            }
        });
        job("toggle-active", TOGGLE_MS, rateMultiplier, () -> api.toggleActive(api.randomPlant()));
        job("edit-metadata", EDIT_MS, rateMultiplier, () -> api.editMetadata(api.randomPlant()));
        job("soft-delete", DELETE_MS, rateMultiplier, () -> api.softDeleteOne(api.randomPlant()));
    }

    private void job(String name, long periodMs, double multiplier, Runnable action) {
        long period = Math.max(1, Math.round(periodMs / multiplier));
        long phase = 1 + (long) (random.nextDouble() * period);
        queue.add(new Event(name, period, clock.simMs() + phase, 0, t -> action.run()));
    }

    /** A periodic task on simulated time (first run at {@code firstMs}); it receives the simulated time. */
    public void addTask(String name, long periodMs, long firstMs, LongConsumer action) {
        queue.add(new Event(name, periodMs, firstMs, 1, action));
    }

    /**
     * Seeds the producer database: {@code perPlant} images per plant created over the week before
     * the start, each also published (the Image API published them when they were made).
     */
    public List<Change> seed(int perPlant) {
        List<Change> changes = new ArrayList<>();
        long span = 7L * 24 * 3600 * 1000;
        long start = clock.start().toEpochMilli();
        List<String> plants = api.plants();
        int total = perPlant * plants.size();
        int i = 0;
        for (int n = 0; n < perPlant; n++) {
            for (String plant : plants) {
                long at = start - span + (span * i++) / Math.max(1, total);
                changes.add(api.create(plant, "seed", Instant.ofEpochMilli(Math.min(at, start - 1))));
            }
        }
        api.flush();
        return changes;
    }

    /** Runs every event due before {@code endMs} (simulated ms since start), paced by the clock's speed-up. */
    public void runUntil(long endMs) throws InterruptedException {
        running = true;
        clock.startPacing();
        while (running) {
            Event e = queue.peek();
            if (e == null || e.due >= endMs) {
                clock.paceTo(endMs);
                clock.advanceTo(endMs);
                break;
            }
            queue.poll();
            clock.paceTo(e.due);
            clock.advanceTo(e.due);
            try {
                e.action.accept(e.due);
            } catch (RuntimeException ex) {
                LOG.warn("LIMS simulator: {} failed: {}", e.name, ex.toString());
            }
            e.due += e.period;
            e.tie = order++;
            queue.add(e);
        }
        api.flush();
    }

    /** Runs without end on a background thread (the dev profile's demo traffic). */
    public synchronized void startBackground() {
        if (thread != null) {
            return;
        }
        thread = new Thread(() -> {
            try {
                runUntil(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lims-simulator");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    public SimClock clock() {
        return clock;
    }

    public ImageApi api() {
        return api;
    }
}
