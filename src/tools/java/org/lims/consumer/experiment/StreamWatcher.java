package org.lims.consumer.experiment;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.bson.Document;
import org.lims.consumer.dev.sim.Change;
import org.lims.consumer.dev.sim.ImageApi;

/**
 * Watches the stream consumer's database: for every published change, the wall time until the
 * database holds that version of the record (or a newer one). Polls every few milliseconds, only
 * the ids still pending, reading just {@code id}, {@code created_at} and {@code updated_at}.
 */
final class StreamWatcher implements AutoCloseable {

    /** A change and how long (ms, wall) the stream consumer took to reflect it. */
    record Seen(Change change, double stalenessMs) {
    }

    private final MongoDatabase db;
    /** plant -> its collection in the stream consumer's database */
    private final Map<String, String> collections;
    private final ConcurrentLinkedQueue<Change> incoming = new ConcurrentLinkedQueue<>();
    private final List<Change> pending = new ArrayList<>();
    private final List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int pendingCount;
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();

    StreamWatcher(MongoDatabase db, Map<String, String> collections) {
        this.db = db;
        this.collections = Map.copyOf(collections);
        this.thread = new Thread(this::loop, "stream-watcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void accept(Change change) {
        accepted.incrementAndGet();
        incoming.add(change);
    }

    private void loop() {
        while (running) {
            try {
                Change c;
                while ((c = incoming.poll()) != null) {
                    pending.add(c);
                }
                if (!pending.isEmpty()) {
                    check();
                }
                pendingCount = pending.size() + incoming.size();
                TimeUnit.MILLISECONDS.sleep(pending.isEmpty() ? 5 : 10);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the consumer database is busy or restarting: try again
            }
        }
    }

    private void check() {
        Map<String, List<Integer>> idsByPlant = new HashMap<>();
        for (Change c : pending) {
            idsByPlant.computeIfAbsent(c.plant(), k -> new ArrayList<>()).add(c.id());
        }
        Map<String, Long> stored = new HashMap<>();
        for (var e : idsByPlant.entrySet()) {
            for (Document d : db.getCollection(collections.get(e.getKey()))
                    .find(Filters.in("id", e.getValue()))
                    .projection(Projections.include("id", "created_at", "updated_at"))) {
                Date v = ImageApi.version(d);
                stored.put(e.getKey() + "/" + ((Number) d.get("id")).intValue(), v == null ? Long.MIN_VALUE : v.getTime());
            }
        }
        long now = System.nanoTime();
        for (Iterator<Change> it = pending.iterator(); it.hasNext();) {
            Change c = it.next();
            Long v = stored.get(c.plant() + "/" + c.id());
            if (v != null && v >= c.versionMs()) {
                seen.add(new Seen(c, (now - c.wallNanos()) / 1e6));
                it.remove();
            }
        }
    }

    long pending() {
        return accepted.get() - seen.size();
    }

    List<Seen> seen() {
        synchronized (seen) {
            return new ArrayList<>(seen);
        }
    }

    boolean awaitDrained(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (seen.size() >= accepted.get()) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
