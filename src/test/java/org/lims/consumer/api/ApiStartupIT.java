package org.lims.consumer.api;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.config.Settings;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.LimsProcess;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar, polled from the moment its process starts: until the API is up a connection is
 * refused, and from its first answer on every answer is JSON (no Vert.x {@code <html>... Resource
 * not found} while the routes are still being added).
 */
@ExtendWith(LimsInfrastructure.class)
class ApiStartupIT {

    static final List<String> PATHS = List.of("/ping", "/image-plant/potato/1", "/image-plant/is-deployed/", "/nothing/here");

    @Test
    void duringStartUpTheApiRefusesConnectionsOrAnswersJson() throws Exception {
        TestScope scope = TestScope.create("apistartup");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        int http = LimsApp.freePort();
        Map<String, String> env = new HashMap<>();
        scope.appProperties().forEach((key, value) -> env.put(Settings.envName(key), value));
        env.put("LIMS_HTTP_PORT", String.valueOf(http));
        env.put("LIMS_MANAGEMENT_PORT", String.valueOf(LimsApp.freePort()));
        Http api = new Http(http);
        List<String> notJson = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int refused = 0;
        long started = System.nanoTime();
        long firstAnswerMillis = -1;
        try (LimsProcess app = LimsProcess.start(Map.of(), env)) {
            // poll until /ping has answered, then one more round
            for (int roundsAfterPing = -1; roundsAfterPing < 1 && System.nanoTime() - started < 120_000_000_000L; ) {
                assertTrue(app.isAlive(), () -> "the app exited during start-up:\n" + app.output());
                for (String path : PATHS) {
                    Http.Response r;
                    try {
                        r = api.get(path);
                    } catch (UncheckedIOException connectionRefused) {
                        refused++;
                        continue;
                    }
                    if (firstAnswerMillis < 0) {
                        firstAnswerMillis = (System.nanoTime() - started) / 1_000_000;
                    }
                    statuses.merge(r.status(), 1, Integer::sum);
                    if (!isJson(r)) {
                        notJson.add(path + " -> " + r + " [" + r.contentType() + "]");
                    }
                    if (path.equals("/ping") && r.status() == 200 && roundsAfterPing < 0) {
                        roundsAfterPing = 0;
                    } else if (path.equals("/ping") && roundsAfterPing >= 0) {
                        roundsAfterPing++;
                    }
                }
                Thread.sleep(5);
            }
        }
        System.out.printf("start-up: %d connections refused, first answer after %d ms, answers %s%n", refused, firstAnswerMillis, statuses);
        assertTrue(notJson.isEmpty(), "answers that are not JSON: " + notJson);
        assertTrue(statuses.getOrDefault(200, 0) >= 2, "the API came up: " + statuses);
        assertTrue(refused > 0, "polled from before the port opened");
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
