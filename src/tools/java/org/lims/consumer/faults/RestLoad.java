package org.lims.consumer.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Scenario 6: REST clients reading and writing while the Kafka stream flows. Reads of streamed
 * records must return a version that record really had, with its data, and never go back to an
 * older version (per client). Writes go to records only the REST clients own (created through
 * the API, above every streamed id), each owned by one client thread, so the last answer of the
 * API for each of them is what the database must hold at the end.
 */
final class RestLoad implements AutoCloseable {

    /** Streamed ids stay below; a seed record with this id makes REST creates take the ids above. */
    static final long SEED_ID = 10_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final EventStream stream;
    private final IntSupplier eventsSent;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong inconsistent = new AtomicLong();
    final AtomicLong latencyNanos = new AtomicLong();
    final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    /** plant/id -> what the API last answered for a REST-owned record */
    final Map<String, StateCheck.Expected> expected = new ConcurrentHashMap<>();
    private final Set<String> createdIds = ConcurrentHashMap.newKeySet();

    RestLoad(int port, EventStream stream, IntSupplier eventsSent, int threadCount, long seed) {
        this.base = "http://localhost:" + port;
        this.stream = stream;
        this.eventsSent = eventsSent;
        for (int t = 0; t < threadCount; t++) {
            int index = t;
            Thread thread = new Thread(() -> client(index, new Random(seed + index)), "rest-client-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private void client(int index, Random random) {
        Map<String, Integer> lastSeen = new HashMap<>();
        Map<String, List<Long>> mine = new HashMap<>();
        int n = 0;
        while (running) {
            String plant = EventStream.PLANTS.get(random.nextInt(EventStream.PLANTS.size()));
            List<Long> owned = mine.computeIfAbsent(plant, p -> new ArrayList<>());
            double p = random.nextDouble();
            try {
                if (p < 0.45) {
                    readOne(random, lastSeen);
                } else if (p < 0.55) {
                    readPage(plant, random);
                } else if (p < 0.60) {
                    expectStatus(get("/image-plant/" + plant + "/total/"), 200);
                    reads.incrementAndGet();
                } else if (p < 0.65) {
                    int s = get("/image-plant/" + plant + "/random/?is_active=true").statusCode();
                    if (s != 200 && s != 404) {
                        error("random " + s);
                    }
                    reads.incrementAndGet();
                } else if (p < 0.77 || owned.isEmpty()) {
                    HttpResponse<String> r = send("PUT", "/image-plant/" + plant + "/", "{\"camera_id\": " + (index + 2)
                            + ", \"gps_coordinates\": [48.1, 16.2]}");
                    if (expectStatus(r, 200)) {
                        JsonNode body = JSON.readTree(r.body());
                        long id = body.get("id").asLong();
                        if (id <= SEED_ID || !createdIds.add(plant + "/" + id)) {
                            inconsistent.incrementAndGet();
                            problems.add("create returned id " + id + " (taken or not above the streamed ids)");
                        }
                        owned.add(id);
                        expected.put(plant + "/" + id, new StateCheck.Expected(null, false, null));
                    }
                } else if (p < 0.93) {
                    long id = owned.get(random.nextInt(owned.size()));
                    String disease = "r" + index + "-" + (n++);
                    HttpResponse<String> r = send("POST", "/image-plant/" + plant + "/", "{\"id\": " + id + ", \"disease\": \""
                            + disease + "\", \"percentage\": 0.5}");
                    if (expectStatus(r, 200)) {
                        JsonNode body = JSON.readTree(r.body());
                        if (!disease.equals(body.get("disease").asText())) {
                            inconsistent.incrementAndGet();
                            problems.add("update of " + id + " answered " + r.body());
                        }
                        expected.put(plant + "/" + id, new StateCheck.Expected(disease, body.get("is_deleted").asBoolean(), null));
                    }
                } else {
                    long id = owned.get(random.nextInt(owned.size()));
                    HttpResponse<String> r = send("DELETE", "/image-plant/" + plant + "/" + id, null);
                    if (expectStatus(r, 200)) {
                        StateCheck.Expected before = expected.get(plant + "/" + id);
                        expected.put(plant + "/" + id, new StateCheck.Expected(before.disease(), true, null));
                    }
                }
            } catch (Exception e) {
                error(e.toString());
            }
        }
    }

    /** A streamed record: what comes back must be a version it had (its data included), never older than one seen before. */
    private void readOne(Random random, Map<String, Integer> lastSeen) throws Exception {
        int sent = eventsSent.getAsInt();
        if (sent == 0) {
            return;
        }
        EventStream.Event e = stream.events().get(random.nextInt(sent));
        HttpResponse<String> r = get("/image-plant/" + e.plant() + "/" + e.id());
        reads.incrementAndGet();
        if (r.statusCode() == 404) {
            return; // not synced yet, or deleted by a tombstone
        }
        if (expectStatus(r, 200)) {
            int seq = checkVersion(e.stateKey(), JSON.readTree(r.body()));
            Integer before = lastSeen.put(e.stateKey(), seq);
            if (seq > 0 && before != null && before > seq) {
                inconsistent.incrementAndGet();
                problems.add(e.stateKey() + " went back from v" + before + " to v" + seq);
            }
        }
    }

    private void readPage(String plant, Random random) throws Exception {
        HttpResponse<String> r = get("/image-plant/" + plant + "/?from_id=" + (1 + random.nextInt(2000)) + "&limit=20");
        reads.incrementAndGet();
        if (expectStatus(r, 200)) {
            for (JsonNode record : JSON.readTree(r.body()).get("image_list")) {
                if (record.get("id").asLong() < SEED_ID) {
                    checkVersion(plant + "/" + record.get("id").asLong(), record);
                }
            }
        }
    }

    /** The sequence number of the version read, after checking it is one of the key's; -1 when it is not. */
    private int checkVersion(String key, JsonNode record) {
        String disease = record.path("disease").asText("");
        int seq = disease.startsWith("v") ? Integer.parseInt(disease.substring(1)) : -1;
        EventStream.Event version = stream.history(key).stream().filter(h -> h.seq() == seq && h.value() != null).findFirst().orElse(null);
        if (version == null || !EventStream.hex(seq).equals(record.path("data").asText())
                || record.path("is_deleted").asBoolean() != (version.kind() == EventStream.Kind.SOFT_DELETE)) {
            inconsistent.incrementAndGet();
            problems.add(key + " read as " + disease + " which is not a version it had");
            return -1;
        }
        return seq;
    }

    private boolean expectStatus(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            error(r.request().method() + " " + r.request().uri().getPath() + " -> " + r.statusCode() + " " + r.body());
            return false;
        }
        return true;
    }

    private void error(String message) {
        errors.incrementAndGet();
        if (problems.size() < 20) {
            problems.add(message);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        latencyNanos.addAndGet(System.nanoTime() - start);
        if (!"GET".equals(method)) {
            writes.incrementAndGet();
        }
        return r;
    }

    long requests() {
        return reads.get() + writes.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    static AtomicInteger counter() {
        return new AtomicInteger();
    }
}
