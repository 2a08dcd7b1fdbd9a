package org.lims.consumer.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The app's own defaults ({@code application.properties}), so that tests and tools take the
 * plants and their collections from the one declaration the app reads instead of a copy.
 */
public final class AppDefaults {

    private static final Properties PROPERTIES = load();

    private AppDefaults() {
    }

    /** The plants: the topics of {@code lims.kafka.topics}. */
    public static List<String> plants() {
        return Arrays.stream(PROPERTIES.getProperty("lims.kafka.topics").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code lims.mongodb.collection.<plant>} */
    public static String collection(String plant) {
        String collection = PROPERTIES.getProperty("lims.mongodb.collection." + plant);
        if (collection == null) {
            throw new IllegalArgumentException("application.properties maps no collection for plant " + plant);
        }
        return collection.trim();
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
