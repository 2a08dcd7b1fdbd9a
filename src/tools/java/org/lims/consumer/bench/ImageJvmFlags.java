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
 * The JVM flags the container image starts the app with (the Jib {@code <jvmFlag>}s of pom.xml), so that the
 * benchmark runs the packaged jar as production does.
 */
public final class ImageJvmFlags {

    private static final Pattern JIB_FLAG = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>");

    private ImageJvmFlags() {
    }

    /**
     * The image's flags for the packaged jar: its class-data sharing archive in place of the image's (which fits only
     * the image's JVM and class path; {@link CdsTraining#trainJar} writes one for this JDK and the jar), or, with
     * {@code archive} null, none (the JDK's own default archive then still serves the JDK's classes).
     */
    public static List<String> forJar(Path archive) {
        return replacingArchive(read(), archive == null ? null : CdsTraining.ARCHIVE_FLAG + archive.toAbsolutePath());
    }

    /** {@code flags} with the archive flag replaced by {@code flag}, or left out when it is null; flags naming no archive are refused. */
    static List<String> replacingArchive(List<String> flags, String flag) {
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (String f : flags) {
            if (!f.startsWith(CdsTraining.ARCHIVE_FLAG)) {
                out.add(f);
            } else {
                replaced = true;
                if (flag != null) {
                    out.add(flag);
                }
            }
        }
        if (!replaced) {
            throw new IllegalStateException("the image's JVM flags name no " + CdsTraining.ARCHIVE_FLAG + "...: " + flags);
        }
        return out;
    }

    public static List<String> read() {
        try {
            List<String> flags = new ArrayList<>();
            Matcher jib = JIB_FLAG.matcher(Files.readString(Path.of("pom.xml")));
            while (jib.find()) {
                flags.add(jib.group(1).trim());
            }
            return flags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
