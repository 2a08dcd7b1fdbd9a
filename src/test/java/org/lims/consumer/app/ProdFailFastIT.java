package org.lims.consumer.app;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.LimsApp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prod profile (the default of java -jar) never starts embedded infrastructure and fails fast on bad settings. */
class ProdFailFastIT {

    private static List<String> errorLines(ChildProcess app) {
        return app.output().lines().filter(l -> l.startsWith("lims-consumer: cannot start")).toList();
    }

    @Test
    void missingKafkaSettingIsNamed() throws Exception {
        try (ChildProcess app = ChildProcess.app(Map.of(), Map.of())) {
            assertEquals(2, app.awaitExit(60));
            List<String> errors = errorLines(app);
            assertEquals(1, errors.size(), app.output());
            assertTrue(errors.get(0).contains("LIMS_KAFKA_BROKERS"), errors.get(0));
            assertFalse(app.output().contains("Embedded infrastructure"), "prod starts nothing embedded");
        }
    }

    @Test
    void missingMongoSettingIsNamed() throws Exception {
        try (ChildProcess app = ChildProcess.app(Map.of(), Map.of("LIMS_KAFKA_BROKERS", "localhost:" + LimsApp.freePort()))) {
            assertEquals(2, app.awaitExit(60));
            assertTrue(errorLines(app).get(0).contains("LIMS_MONGODB_URI"), app.output());
        }
    }

    @Test
    void aConsumedTopicWithoutACollectionIsNamed() throws Exception {
        try (ChildProcess app = ChildProcess.app(Map.of(), Map.of("LIMS_KAFKA_TOPICS", "potato,tomato,pepper,cucumber",
                "LIMS_KAFKA_BROKERS", "localhost:" + LimsApp.freePort(), "LIMS_MONGODB_URI", "mongodb://localhost:" + LimsApp.freePort()))) {
            assertEquals(2, app.awaitExit(60));
            List<String> errors = errorLines(app);
            assertEquals(1, errors.size(), app.output());
            assertTrue(errors.get(0).contains("LIMS_MONGODB_COLLECTION_CUCUMBER") && errors.get(0).contains("topic 'cucumber'"), errors.get(0));
        }
    }

    /** Inside another JVM (lims.startup.halt-on-error=false, as LimsApp runs it) the same error is thrown, the JVM lives on. */
    @Test
    void inProcessAStartupErrorIsThrownWithItsMessage() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> LimsApp.start(Map.of("lims.kafka.brokers", "")));
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof org.lims.consumer.config.Settings.StartupException)) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("LIMS_KAFKA_BROKERS"), cause.toString());
    }

    /** Both on 0 ("any free port") the management routes would bind to the API's server, /observe/dlq replay included. */
    @Test
    void theApiAndTheManagementEndpointsNeedPortsOfTheirOwn() throws Exception {
        for (String port : List.of("0", String.valueOf(LimsApp.freePort()))) {
            try (ChildProcess app = ChildProcess.app(Map.of(), Map.of("LIMS_HTTP_PORT", port, "LIMS_MANAGEMENT_PORT", port,
                    "LIMS_KAFKA_BROKERS", "localhost:" + LimsApp.freePort(), "LIMS_MONGODB_URI", "mongodb://localhost:" + LimsApp.freePort()))) {
                assertEquals(2, app.awaitExit(60));
                List<String> errors = errorLines(app);
                assertEquals(1, errors.size(), app.output());
                assertTrue(errors.get(0).contains("ports of their own") && errors.get(0).contains("LIMS_HTTP_PORT")
                        && errors.get(0).contains("LIMS_MANAGEMENT_PORT"), errors.get(0));
            }
        }
    }

    @Test
    void unreachableKafkaIsNamed() throws Exception {
        try (ChildProcess app = ChildProcess.app(Map.of("lims.startup.check-timeout-ms", "3000"),
                Map.of("LIMS_KAFKA_BROKERS", "localhost:" + LimsApp.freePort(),
                        "LIMS_MONGODB_URI", "mongodb://localhost:" + LimsApp.freePort()))) {
            assertEquals(2, app.awaitExit(60));
            String error = errorLines(app).get(0);
            assertTrue(error.contains("Kafka is unreachable") && error.contains("LIMS_KAFKA_BROKERS"), error);
        }
    }

    @Test
    void unreachableMongoIsNamedWithoutItsPassword() throws Exception {
        org.lims.consumer.testinfra.LimsInfrastructure.start();
        try (ChildProcess app = ChildProcess.app(Map.of("lims.startup.check-timeout-ms", "3000"),
                Map.of("LIMS_KAFKA_BROKERS", org.lims.consumer.testinfra.LimsInfrastructure.brokers(),
                        "LIMS_MONGODB_URI", "mongodb://lims:s3cr3t-pw@localhost:" + LimsApp.freePort() + "/admin"))) {
            assertEquals(2, app.awaitExit(60));
            String error = errorLines(app).get(0);
            assertTrue(error.contains("MongoDB is unreachable") && error.contains("LIMS_MONGODB_URI"), error);
            assertFalse(app.output().contains("s3cr3t-pw"), "the password never appears in the output");
        }
    }
}
