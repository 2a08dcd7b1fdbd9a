package org.lims.consumer.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's route table is how a newcomer reads the architecture: it names every route the files define. */
class ReadmeRouteTableTest {

    private static final Pattern ROUTE_ID = Pattern.compile("^- route:\\s*\\n\\s+id:\\s*([\\w-]+)", Pattern.MULTILINE);

    @Test
    void everyRouteIdIsInTheReadmeRouteTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## How it works");
        assertTrue(start >= 0, "README has a 'How it works' section");
        String section = readme.substring(start);
        int end = section.indexOf("\n## ", 3);
        String table = end > 0 ? section.substring(0, end) : section;
        TreeSet<String> missing = new TreeSet<>();
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("src/main/resources/routes", "src/dev/resources/routes-dev")) {
            try (var listing = Files.list(Path.of(dir))) {
                listing.filter(p -> p.toString().endsWith(".camel.yaml")).forEach(files::add);
            }
        }
        for (Path file : files) {
            Matcher m = ROUTE_ID.matcher(Files.readString(file));
            while (m.find()) {
                if (!table.contains("`" + m.group(1) + "`")) {
                    missing.add(m.group(1) + " (" + file.getFileName() + ")");
                }
            }
        }
        assertTrue(files.size() >= 5, "route files found: " + files);
        assertTrue(missing.isEmpty(), "routes missing from the README's route table: " + missing);
    }
}
