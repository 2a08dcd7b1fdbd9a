package org.lims.consumer.dev.sim;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Simulated LIMS time. The clock is virtual: the simulator's event loop sets it to each event's
 * time, and paces itself so that simulated time passes {@code speedup} times faster than wall
 * time (1 h at 600x takes 6 s). Work that takes real time (a batch copy, the stream consumer's
 * processing) is measured in wall time and counted 1:1: only the LIMS schedules are sped up.
 *
 * <p>{@link #stamp()} issues record timestamps: strictly increasing and millisecond-precise (what
 * a BSON date holds), so two versions of a record never tie.
 */
public final class SimClock {

    private final Instant start;
    private final double speedup;
    private volatile long simMs;
    private long lastStamp;
    private long wallStartNanos = -1;

    public SimClock(Instant start, double speedup) {
        if (speedup <= 0) {
            throw new IllegalArgumentException("speed-up must be positive");
        }
        this.start = Instant.ofEpochMilli(start.toEpochMilli());
        this.speedup = speedup;
        this.lastStamp = this.start.toEpochMilli() - 1;
    }

    public Instant start() {
        return start;
    }

    public double speedup() {
        return speedup;
    }

    /** Simulated milliseconds since the start. */
    public long simMs() {
        return simMs;
    }

    public Instant now() {
        return start.plusMillis(simMs);
    }

    /** Moves the clock to an event's time (never backwards). */
    public synchronized void advanceTo(long ms) {
        if (ms > simMs) {
            simMs = ms;
        }
    }

    /** A record timestamp at the current simulated time, strictly after every earlier one. */
    public synchronized Instant stamp() {
        long t = Math.max(start.toEpochMilli() + simMs, lastStamp + 1);
        lastStamp = t;
        return Instant.ofEpochMilli(t);
    }

    /** The last timestamp issued (a batch run's snapshot point: nothing newer exists yet). */
    public synchronized Instant lastStamp() {
        return Instant.ofEpochMilli(lastStamp);
    }

    /** Starts wall pacing at the current simulated time. */
    public synchronized void startPacing() {
        wallStartNanos = System.nanoTime() - (long) (simMs / speedup * 1_000_000);
    }

    /** Sleeps until wall time catches up with simulated time {@code ms}; returns at once when behind. */
    public void paceTo(long ms) throws InterruptedException {
        if (wallStartNanos < 0) {
            startPacing();
        }
        long due = wallStartNanos + (long) (ms / speedup * 1_000_000);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
