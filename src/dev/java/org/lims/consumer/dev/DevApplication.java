package org.lims.consumer.dev;

import org.lims.consumer.Application;

/**
 * The app on its embedded default, for trying it and for demos: the dev profile
 * ({@code application-dev.properties}: demo traffic, writable API, route files reloaded from the
 * source tree) with a broker and a Mongo-wire server started in-process unless addresses are
 * given. Not part of the production jar: {@code ./mvnw -q test-compile exec:exec@dev}.
 */
public final class DevApplication {

    private DevApplication() {
    }

    public static void main(String[] args) throws Exception {
        Application.create("dev", new EmbeddedInfrastructure()).run(args);
    }
}
