package org.lims.consumer.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.lims.consumer.testinfra.AppDefaults;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packaged app loads the route files application.properties names, one by one (a classpath wildcard makes
 * Camel inflate the whole jar at every start-up): every file under src/main/resources/routes is named, once.
 */
class RouteFilesTest {

    @Test
    void theDefaultIncludeNamesEveryRouteFileOnce() throws IOException {
        String[] named = Arrays.stream(AppDefaults.property("lims.routes.include").split(","))
                .map(String::trim).toArray(String[]::new);
        TreeSet<String> files;
        try (var listing = Files.list(Path.of("src/main/resources/routes"))) {
            files = listing.map(p -> "classpath:routes/" + p.getFileName())
                    .filter(n -> n.endsWith(".camel.yaml")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(named.length, new TreeSet<>(Arrays.asList(named)).size(), "a route file named twice: " + Arrays.toString(named));
        assertEquals(files, new TreeSet<>(Arrays.asList(named)),
                "lims.routes.include in application.properties must name every file of src/main/resources/routes");
    }
}
