package org.lims.consumer.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The app's own defaults ({@code application.properties}), so that tests and tools take the
 * plants, their collections and the other names the app uses (database, consumer group,
 * dead-letter topic) from the one declaration the app reads instead of a copy.
 */
public final class AppDefaults {

    private static final Properties PROPERTIES = load();

    private AppDefaults() {
    }

    /** The plants: the topics of {@code lims.kafka.topics}. */
    public static List<String> plants() {
        return Arrays.stream(property("lims.kafka.topics").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code lims.mongodb.collection.<plant>} */
    public static String collection(String plant) {
        return property("lims.mongodb.collection." + plant);
    }

    /** A setting of {@code application.properties}, e.g. {@code lims.kafka.group-id}. */
    public static String property(String key) {
        String value = PROPERTIES.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("application.properties has no " + key);
        }
        return value.trim();
    }

    private static Properties load() {
        try (InputStream in = AppDefaults.class.getResourceAsStream("/application.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
