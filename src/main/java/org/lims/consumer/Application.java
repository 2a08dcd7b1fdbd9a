package org.lims.consumer;

import org.apache.camel.main.Main;
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
        Main main = new Main();
        main.configure().setProfile(profile());
        main.configure().addConfiguration(LimsBeans.class);
        main.addMainListener(new Bootstrap());
        main.run(args);
    }

    static String profile() {
        String profile = System.getProperty("camel.main.profile", System.getenv("CAMEL_MAIN_PROFILE"));
        return profile == null || profile.isBlank() ? "prod" : profile.trim();
    }
}
