package org.lims.consumer.api;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.config.Settings;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar, polled from the moment its process starts: until the API is up a connection is
 * refused, and from its first answer on every answer is JSON (no Vert.x {@code <html>... Resource
 * not found} while the routes are still being added). One poller per path, so that a request the
 * server holds while it starts does not hide the answers the others get meanwhile.
 */
@ExtendWith(LimsInfrastructure.class)
class ApiStartupIT {

    static final List<String> PATHS = List.of("/ping", "/nothing/here", "/image-plant/potato/1", "/image-plant/is-deployed/",
            "/image-plant/potato/total/", "/docs/missing.css");
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);

    static Map<String, String> environment(String name, int http) {
        TestScope scope = TestScope.create(name);
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Map<String, String> env = new HashMap<>();
        scope.appProperties().forEach((key, value) -> env.put(Settings.envName(key), value));
        env.put("LIMS_HTTP_PORT", String.valueOf(http));
        env.put("LIMS_MANAGEMENT_PORT", String.valueOf(LimsApp.freePort()));
        return env;
    }

    @Test
    void aTakenApiPortEndsTheStartUpNamingTheSetting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0);
             ChildProcess app = ChildProcess.app(Map.of(), environment("apiport", taken.getLocalPort()))) {
            assertEquals(2, app.awaitExit(120), app::output);
            assertTrue(app.output().contains("lims-consumer: cannot start: the REST API cannot listen on port " + taken.getLocalPort()
                    + " (lims.http.port, LIMS_HTTP_PORT)"), app::output);
            assertFalse(app.output().contains("\tat org.lims"), "one line, no stack trace:\n" + app.output());
        }
    }

    @Test
    void duringStartUpTheApiRefusesConnectionsOrAnswersJson() throws Exception {
        int http = LimsApp.freePort();
        Map<String, String> env = environment("apistartup", http);
        Http api = new Http(http);
        List<String> notJson = new CopyOnWriteArrayList<>();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean up = new AtomicBoolean();
        long started = System.nanoTime();
        ExecutorService pollers = Executors.newFixedThreadPool(PATHS.size());
        try (ChildProcess app = ChildProcess.app(Map.of(), env)) {
            List<Future<?>> running = new ArrayList<>();
            for (String path : PATHS) {
                running.add(pollers.submit(() -> {
                    // each poller goes on until the API is up and it got one answer after that
                    for (boolean answeredSinceUp = false; !answeredSinceUp && System.nanoTime() - started < DEADLINE_NANOS; ) {
                        boolean wasUp = up.get();
                        Http.Response r;
                        try {
                            r = api.get(path);
                        } catch (UncheckedIOException connectionRefused) {
                            refused.incrementAndGet();
                            pause();
                            continue;
                        }
                        statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                        if (!isJson(r)) {
                            notJson.add(path + " after " + (System.nanoTime() - started) / 1_000_000 + " ms -> " + r + " [" + r.contentType() + "]");
                        }
                        if (path.equals("/ping") && r.status() == 200) {
                            up.set(true);
                        }
                        answeredSinceUp = wasUp;
                        pause();
                    }
                    return null;
                }));
            }
            for (Future<?> poller : running) {
                assertTrue(app.isAlive(), () -> "the app exited during start-up:\n" + app.output());
                poller.get();
            }
        } finally {
            pollers.shutdownNow();
        }
        System.out.printf("start-up: %d connections refused, then answers %s%n", refused.get(), statuses);
        assertTrue(notJson.isEmpty(), "answers that are not JSON: " + notJson);
        assertTrue(up.get(), "the API came up: " + statuses);
        assertTrue(refused.get() > 0, "polled from before the port opened");
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean isJson(Http.Response r) {
        if (r.contentType() == null || !r.contentType().startsWith("application/json")) {
            return false;
        }
        try {
            Http.JSON.readTree(r.body());
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
