package org.lims.consumer;

import org.apache.camel.main.Main;
import org.apache.camel.main.MainListener;
import org.lims.consumer.config.Bootstrap;
import org.lims.consumer.config.LeaveGroupOnStop;
import org.lims.consumer.config.LimsBeans;
import org.lims.consumer.config.Settings;

/**
 * lims-consumer: keeps the LIMS consumer MongoDB in sync with the Image API's Kafka topics.
 * The profile comes from {@code CAMEL_MAIN_PROFILE} or {@code -Dcamel.main.profile}; without one it is {@code prod}.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        try {
            create(profile()).run(args);
        } catch (Exception e) {
            // a start-up problem an operator fixes by configuration (e.g. the API port taken): one line, no stack trace
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof Settings.StartupException startup) {
                    System.err.println("lims-consumer: cannot start: " + startup.getMessage());
                    System.exit(2);
                }
            }
            throw e;
        }
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
        main.addMainListener(new LeaveGroupOnStop());
        return main;
    }

    static String profile() {
        String profile = System.getProperty("camel.main.profile", System.getenv("CAMEL_MAIN_PROFILE"));
        return profile == null || profile.isBlank() ? "prod" : profile.trim();
    }
}
