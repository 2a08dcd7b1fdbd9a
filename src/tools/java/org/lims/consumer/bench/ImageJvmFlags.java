package org.lims.consumer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags the container image starts the app with, so that the benchmark runs the packaged jar as
 * production does: the Jib {@code <jvmFlag>}s of pom.xml where the image is built by Jib, else the
 * Dockerfile's ENTRYPOINT (the flags between {@code java} and {@code -jar}).
 */
final class ImageJvmFlags {

    private static final Pattern JIB_FLAG = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>");
    private static final Pattern ENTRYPOINT = Pattern.compile("(?m)^ENTRYPOINT\\s*\\[(.*)]\\s*$");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    private ImageJvmFlags() {
    }

    static List<String> read() {
        try {
            List<String> flags = new ArrayList<>();
            Matcher jib = JIB_FLAG.matcher(Files.readString(Path.of("pom.xml")));
            while (jib.find()) {
                flags.add(jib.group(1).trim());
            }
            if (!flags.isEmpty() || !Files.exists(Path.of("Dockerfile"))) {
                return flags;
            }
            Matcher entry = ENTRYPOINT.matcher(Files.readString(Path.of("Dockerfile")));
            if (entry.find()) {
                Matcher arg = QUOTED.matcher(entry.group(1));
                while (arg.find() && !arg.group(1).equals("-jar")) {
                    if (!arg.group(1).equals("java")) {
                        flags.add(arg.group(1));
                    }
                }
            }
            return flags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
