package org.lims.consumer.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.RunningApp;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real browser loads the Swagger UI at /docs: headless Chromium renders the page (its JavaScript
 * fetches /openapi.json) and the rendered DOM lists every image-plant operation. Skipped, with the
 * reason, where Chromium is not installed (Debian package chromium).
 */
@ExtendWith(LimsInfrastructure.class)
class SwaggerUiBrowserIT {

    @Test
    void docsPageListsTheImagePlantOperations() throws Exception {
        String chromium = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                .filter(p -> new java.io.File(p).canExecute()).findFirst().orElse(null);
        Assumptions.assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium)");
        try (RunningApp running = RunningApp.start("browser", Map.of())) {
            Path profile = LimsInfrastructure.tempDir("lims-chromium");
            Process browser = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--user-data-dir=" + profile, "--virtual-time-budget=20000", "--dump-dom",
                    "http://localhost:" + running.app().httpPort() + "/docs").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(browser.waitFor(90, TimeUnit.SECONDS), "chromium finished");
            for (String path : List.of("/image-plant/{plant}/", "/image-plant/{plant}/{image_id}", "/image-plant/{plant}/random/",
                    "/image-plant/{plant}/total/", "/image-plant/is-deployed/", "/ping")) {
                assertTrue(dom.contains("data-path=\"" + path + "\""), "the rendered Swagger UI lists " + path);
            }
            for (String method : List.of("opblock-get", "opblock-put", "opblock-post", "opblock-delete")) {
                assertTrue(dom.contains(method), "an operation of kind " + method);
            }
        }
    }
}
