package org.lims.consumer;

import org.apache.camel.main.Main;
import org.apache.camel.main.MainListener;
import org.lims.consumer.config.Bootstrap;
import org.lims.consumer.config.LimsBeans;

/**
 * lims-consumer: keeps the LIMS consumer MongoDB in sync with the Image API's Kafka topics.
 * The profile comes from {@code CAMEL_MAIN_PROFILE} or {@code -Dcamel.main.profile}; without one it is {@code prod}.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        create(profile()).run(args);
    }

    /**
     * The application as camel-main runs it; tests start the same thing in-process.
     *
     * @param before listeners that run ahead of the start-up checks, e.g. the dev launcher's embedded
     *               infrastructure, which sets the addresses those checks then find
     */
    public static Main create(String profile, MainListener... before) {
        Main main = new Main();
        main.configure().setProfile(profile);
        main.configure().addConfiguration(LimsBeans.class);
        for (MainListener listener : before) {
            main.addMainListener(listener);
        }
        main.addMainListener(new Bootstrap());
        return main;
    }

    static String profile() {
        String profile = System.getProperty("camel.main.profile", System.getenv("CAMEL_MAIN_PROFILE"));
        return profile == null || profile.isBlank() ? "prod" : profile.trim();
    }
}
