package org.lims.consumer.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.testinfra.ChildProcess;
import org.lims.consumer.testinfra.ConsumerDb;
import org.lims.consumer.testinfra.DeadLetterTopic;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsEvents;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.SecureInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app's whole output (start-up summary, batch lines, dead-letter lines, shutdown, a
 * start-up failure) never holds a password: not the Kafka SASL JAAS password, not a trust store
 * password, not a MongoDB password given in the URI or as a setting.
 */
@ExtendWith(LimsInfrastructure.class)
class CredentialsNotLoggedIT {

    static final String KAFKA_PW = "kafka-jaas-pw-7f3a";
    static final String TRUSTSTORE_PW = "truststore-pw-91c2";
    static final String MONGO_PW = "mongo-pw-c0ffee";
    static final String URI_PW = "uri-pw-5e5e";

    @Test
    void aFullRunLogsNoPassword() throws Exception {
        TestScope scope = TestScope.create("creds");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        Path truststore = LimsInfrastructure.tempDir("lims-creds").resolve("truststore.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (var out = Files.newOutputStream(truststore)) {
            empty.store(out, TRUSTSTORE_PW.toCharArray());
        }
        Map<String, String> props = new HashMap<>(scope.appProperties());
        int[] ports = LimsApp.freePorts(2);
        props.put("lims.http.port", String.valueOf(ports[0]));
        props.put("lims.management.port", String.valueOf(ports[1]));
        // PLAINTEXT test broker: the SASL/SSL settings are configured (and ignored by the Kafka clients on PLAINTEXT)
        props.put("lims.kafka.sasl-mechanism", "PLAIN");
        props.put("lims.kafka.ssl-truststore-location", truststore.toString());
        props.put("lims.kafka.ssl-truststore-password", TRUSTSTORE_PW);
        Map<String, String> env = Map.of(
                "LIMS_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"lims\" password=\"" + KAFKA_PW + "\";",
                "LIMS_MONGODB_PASSWORD", MONGO_PW);
        ChildProcess app = ChildProcess.app(props, env);
        try (LimsEvents events = new LimsEvents(scope); ConsumerDb db = new ConsumerDb(scope);
             DeadLetterTopic dlq = new DeadLetterTopic(scope)) {
            events.send("potato", LimsEvents.record(1, LimsEvents.image(1, 100), LocalDateTime.of(2024, 1, 1, 0, 0), null));
            events.sendRaw("potato", "bad", "not json".getBytes(StandardCharsets.UTF_8), Map.of());
            db.awaitRecord("potato", 1, d -> true, Duration.ofSeconds(90));
            dlq.awaitLetters(1, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            throw new AssertionError("the app did not sync; output:\n" + app.output(), e);
        } finally {
            app.close();
        }
        String output = app.output();
        assertTrue(output.contains("Applied batch"), "a full run: " + output);
        assertTrue(output.contains("Dead-lettered"), "a poison message was logged");
        assertNoPassword(output, KAFKA_PW, TRUSTSTORE_PW, MONGO_PW);
    }

    @Test
    void aStartupFailureWithAPasswordInTheUriLogsNoPassword() throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("lims.kafka.brokers", LimsInfrastructure.brokers());
        // the Mongo-wire test server has no authentication: the driver's login fails, start-up stops with one line
        props.put("lims.mongodb.uri", LimsInfrastructure.mongoUri().replace("mongodb://", "mongodb://lims:" + URI_PW + "@"));
        props.put("lims.startup.check-timeout-ms", "5000");
        int[] ports = LimsApp.freePorts(2);
        props.put("lims.http.port", String.valueOf(ports[0]));
        props.put("lims.management.port", String.valueOf(ports[1]));
        props.put("lims.mongodb.username", "lims-sync");
        ChildProcess app = ChildProcess.app(props, Map.of("LIMS_MONGODB_PASSWORD", MONGO_PW));
        int exit = app.awaitExit(90);
        String output = app.output();
        assertEquals(2, exit, output);
        assertTrue(output.contains("lims:***@"), "the URI is shown redacted: " + output);
        assertNoPassword(output, URI_PW, MONGO_PW);
    }

    /**
     * Start-up through the secured transports when a credential or a trust store is wrong: one line that names the
     * setting to fix and says what failed, and neither the wrong nor the right password anywhere in the output.
     */
    @Test
    void aRefusedLoginOrAnUntrustedCertificateNamesTheSettingNeverTheSecret() throws Exception {
        SecureInfrastructure secure = SecureInfrastructure.get();
        String wrongPassword = "wrong-" + java.util.UUID.randomUUID();
        String other = secure.certificates().otherTrustStore().toString();
        Map<String, Map<String, String>> runs = new java.util.LinkedHashMap<>();
        for (String mechanism : List.of("SCRAM-SHA-512", "PLAIN")) {
            Map<String, String> wrong = new HashMap<>(secure.appEnvironment(mechanism));
            wrong.put("LIMS_KAFKA_SASL_JAAS_CONFIG", SecureInfrastructure.jaas(mechanism,
                    "PLAIN".equals(mechanism) ? SecureInfrastructure.PLAIN_USER : SecureInfrastructure.SCRAM_USER, wrongPassword));
            runs.put("wrong " + mechanism + " password", wrong);
        }
        Map<String, String> untrustedBroker = new HashMap<>(secure.appEnvironment("SCRAM-SHA-512"));
        untrustedBroker.put("LIMS_KAFKA_SSL_TRUSTSTORE_LOCATION", other);
        runs.put("untrusted broker certificate", untrustedBroker);
        Map<String, String> untrustedMongo = new HashMap<>(secure.appEnvironment("SCRAM-SHA-512"));
        untrustedMongo.put("LIMS_MONGODB_TLS_TRUSTSTORE_LOCATION", other);
        runs.put("untrusted MongoDB certificate", untrustedMongo);

        Map<String, ChildProcess> apps = new java.util.LinkedHashMap<>();
        runs.forEach((name, env) -> {
            Map<String, String> e = new HashMap<>(env);
            int[] ports = LimsApp.freePorts(2);
            e.put("LIMS_HTTP_PORT", String.valueOf(ports[0]));
            e.put("LIMS_MANAGEMENT_PORT", String.valueOf(ports[1]));
            apps.put(name, ChildProcess.app(Map.of(), e));
        });
        Map<String, String> lines = new java.util.LinkedHashMap<>();
        for (var app : apps.entrySet()) {
            try (ChildProcess p = app.getValue()) {
                assertEquals(2, p.awaitExit(90), app.getKey() + ": " + p.output());
                List<String> errors = p.output().lines().filter(l -> l.startsWith("lims-consumer: cannot start")).toList();
                assertEquals(1, errors.size(), app.getKey() + ": " + p.output());
                lines.put(app.getKey(), errors.get(0));
                assertNoPassword(p.output(), wrongPassword, secure.password("SCRAM-SHA-512"), secure.password("PLAIN"), secure.certificates().password());
            }
        }
        lines.forEach((name, line) -> System.out.println(name + ": " + line));
        for (String mechanism : List.of("SCRAM-SHA-512", "PLAIN")) {
            String line = lines.get("wrong " + mechanism + " password");
            assertTrue(line.contains("Kafka authentication failed") && line.contains("LIMS_KAFKA_SASL_JAAS_CONFIG"), line);
        }
        String broker = lines.get("untrusted broker certificate");
        assertTrue(broker.contains("certificate is not trusted") && broker.contains("lims.kafka.ssl-truststore-location"), broker);
        String mongo = lines.get("untrusted MongoDB certificate");
        assertTrue(mongo.contains("MongoDB TLS handshake failed") && mongo.contains("certificate is not trusted")
                && mongo.contains("lims.mongodb.tls.truststore-location"), mongo);
    }

    static void assertNoPassword(String output, String... passwords) {
        for (String pw : passwords) {
            assertFalse(output.contains(pw), "password " + pw + " appears in the output:\n"
                    + output.lines().filter(l -> l.contains(pw)).toList());
        }
        // nor a JAAS config with its password (Camel masks secret options in its summary)
        assertFalse(List.of(output.split("\n")).stream().anyMatch(l -> l.contains("password=\"") && !l.contains("xxxxxx")), output);
    }
}
