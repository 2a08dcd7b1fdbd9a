package org.lims.consumer.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.api.Http;
import org.lims.consumer.config.Settings;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.DeadLetterTopic;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.SecureInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged production jar through Kafka's SASL_SSL listener (SCRAM-SHA-512, and PLAIN) and a TLS-terminated
 * MongoDB, configured only with the documented {@code LIMS_KAFKA_*} and {@code LIMS_MONGODB_TLS_*} settings: it gets
 * ready, syncs, dead-letters a poison record, serves REST, and its output holds none of the passwords. The app is
 * given only the secured addresses, so everything it does goes through them.
 */
@ExtendWith(LimsInfrastructure.class)
class SecureTransportIT {

    /** One instance per mechanism, started at once (each is a JVM start). */
    record Run(String mechanism, TestScope scope, ChildProcess app, int http, int management) {
    }

    @Test
    void theProductionJarSyncsDeadLettersAndServesOverSaslSslAndTls() throws Exception {
        SecureInfrastructure secure = SecureInfrastructure.get();
        List<Run> runs = List.of(start(secure, "SCRAM-SHA-512"), start(secure, "PLAIN"));
        try {
            for (Run run : runs) {
                check(secure, run);
            }
        } finally {
            for (Run run : runs) {
                run.app().close();
            }
        }
        for (Run run : runs) {
            CredentialsNotLoggedIT.assertNoPassword(run.app().output(), secure.password(run.mechanism()), secure.certificates().password());
        }
    }

    private static Run start(SecureInfrastructure secure, String mechanism) {
        TestScope scope = TestScope.create("secure-" + mechanism.toLowerCase(java.util.Locale.ROOT));
        secure.createTopics(scope.topics(), 3);
        int http = LimsApp.freePort();
        int management = LimsApp.freePort();
        Map<String, String> env = new LinkedHashMap<>(secure.appEnvironment(mechanism));
        scope.appProperties().forEach((k, v) -> env.putIfAbsent(Settings.envName(k), v));
        env.put("LIMS_HTTP_PORT", String.valueOf(http));
        env.put("LIMS_MANAGEMENT_PORT", String.valueOf(management));
        return new Run(mechanism, scope, ChildProcess.app(Map.of(), env), http, management);
    }

    private static void check(SecureInfrastructure secure, Run run) {
        ChildProcess app = run.app();
        Http observe = new Http(run.management());
        try (LimsEvents events = new LimsEvents(run.scope(), secure.plaintextBrokers()); ConsumerDb db = new ConsumerDb(run.scope());
             DeadLetterTopic dlq = new DeadLetterTopic(run.scope(), secure.plaintextBrokers())) {
            await(run.mechanism() + ": ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                assertTrue(app.isAlive(), () -> run.mechanism() + ": the app exited:\n" + app.output());
                try {
                    return observe.get("/observe/health/ready").status() == 200;
                } catch (java.io.UncheckedIOException notListeningYet) {
                    return false;
                }
            });
            LocalDateTime t0 = LocalDateTime.of(2024, 10, 1, 9, 0);
            events.send("pepper", LimsEvents.record(21, LimsEvents.image(21, 300), t0, null));
            events.send("pepper", LimsEvents.record(21, LimsEvents.image(22, 300), t0, t0.plusMinutes(1)));
            events.sendRaw("potato", "22", "not json".getBytes(StandardCharsets.UTF_8), Map.of());
            db.awaitRecord("pepper", 21, d -> d.get("updated_at") != null, Duration.ofSeconds(60));
            List<DeadLetterTopic.Letter> letters = dlq.awaitLetters(1, Duration.ofSeconds(60));
            assertEquals("not-json", letters.get(0).header("lims.dlq.reason"), run.mechanism() + ": " + letters.get(0).headers());
            Http.Response image = new Http(run.http()).get("/image-plant/pepper/21");
            assertEquals(200, image.status(), image.toString());
            assertEquals("2024-10-01T09:01:00", image.json().get("updated_at").asText().substring(0, 19));
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(run.mechanism() + " run failed; app output:\n" + app.output(), e);
        }
        assertTrue(app.output().contains("Kafka at " + secure.securedBrokers() + " and MongoDB at " + secure.tlsMongoUri() + " answer"), app.output());
    }
}
