package org.lims.consumer.reconcile;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;

/**
 * Bean {@code reconcileSchedule}: when reconciliation runs. The first run starts as soon as the Kafka
 * consumer runs (the consumer database is prepared by then), the next ones every interval after the
 * start of the previous one. A failed run is retried after {@code retry-initial-s}, doubled per
 * failure in a row, never later than one interval. At most one run at a time, whoever asks.
 */
public class ReconcileSchedule {

    /** The route whose start means the consumer database is ready (sync.camel.yaml's prepare-database starts it). */
    static final String SYNC_ROUTE = "sync-batch";

    private final CamelContext context;
    private final ReconcileSettings settings;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long nextDueNanos = System.nanoTime();
    private volatile long startedNanos;
    private int failuresInARow;

    public ReconcileSchedule(CamelContext context, ReconcileSettings settings) {
        this.context = context;
        this.settings = settings;
    }

    /** The timer's question, once a second. */
    public boolean isDue() {
        ServiceStatus sync = context.getRouteController().getRouteStatus(SYNC_ROUTE);
        return sync != null && sync.isStarted() && !running.get() && System.nanoTime() - nextDueNanos >= 0;
    }

    /** Takes the one run slot; false when a run is going on. */
    public boolean begin() {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        startedNanos = System.nanoTime();
        return true;
    }

    public void end() {
        running.set(false);
    }

    void succeeded() {
        failuresInARow = 0;
        nextDueNanos = startedNanos + nanos(settings.intervalSeconds());
    }

    /** @return seconds until the next attempt */
    double failed() {
        failuresInARow++;
        double wait = Math.min(settings.intervalSeconds(), settings.retryInitialSeconds() * Math.pow(2, Math.min(30, failuresInARow - 1)));
        nextDueNanos = System.nanoTime() + nanos(wait);
        return wait;
    }

    private static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }
}
