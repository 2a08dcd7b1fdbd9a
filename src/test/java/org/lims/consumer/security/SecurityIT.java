package org.lims.consumer.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.Endpoint;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lims.consumer.observe.KafkaConsumerWatch;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.TestScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running app (prod profile): Kafka security settings in the configuration its Kafka clients are
 * created from; the API read-only; bad input answered without internals; the management endpoints
 * only on the management port.
 */
@ExtendWith(LimsInfrastructure.class)
class SecurityIT {

    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"lims\" password=\"kafka-pw-it\";";
    static TestScope scope;
    static LimsApp app;
    static Path truststore;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        scope = TestScope.create("security");
        LimsInfrastructure.createTopics(scope.topics(), 3);
        truststore = LimsInfrastructure.tempDir("lims-sec").resolve("kafka-truststore.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (var out = Files.newOutputStream(truststore)) {
            empty.store(out, "ts-pw-it".toCharArray());
        }
        Map<String, String> props = new HashMap<>(scope.appProperties());
        // PLAINTEXT: the test broker has no SASL listener, and Kafka clients ignore SASL/SSL settings on a
        // PLAINTEXT connection, so the app runs while every setting still goes into the client configuration
        props.put("lims.kafka.security-protocol", "PLAINTEXT");
        props.put("lims.kafka.sasl-mechanism", "PLAIN");
        props.put("lims.kafka.sasl-jaas-config", JAAS);
        props.put("lims.kafka.ssl-truststore-location", truststore.toString());
        props.put("lims.kafka.ssl-truststore-password", "ts-pw-it");
        props.put("lims.kafka.ssl-truststore-type", "PKCS12");
        props.put("lims.kafka.ssl-endpoint-identification-algorithm", "https");
        app = LimsApp.start(props);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void kafkaSecuritySettingsReachTheConsumerAndTheDeadLetterProducer() {
        KafkaComponent kafka = app.context().getComponent("kafka", KafkaComponent.class);
        assertEquals("PLAIN", kafka.getConfiguration().getSaslMechanism());
        assertEquals(JAAS, kafka.getConfiguration().getSaslJaasConfig());
        assertEquals(truststore.toString(), kafka.getConfiguration().getSslTruststoreLocation());
        assertInstanceOf(KafkaConsumerWatch.class, kafka.getKafkaClientFactory(), "clients are created by the kafkaClients bean");

        List<KafkaEndpoint> endpoints = new ArrayList<>();
        for (Endpoint e : app.context().getEndpoints()) {
            if (e instanceof KafkaEndpoint k) {
                endpoints.add(k);
            }
        }
        KafkaEndpoint consumer = endpoints.stream().filter(e -> e.getConfiguration().getTopic().contains(scope.topic("potato"))).findFirst().orElseThrow();
        KafkaEndpoint dlq = endpoints.stream().filter(e -> e.getConfiguration().getTopic().equals(scope.dlqTopic())).findFirst().orElseThrow();
        // the Properties camel-kafka hands to the client factory (kafkaConsumerWatch.getConsumer / getProducer)
        assertEquals("PLAINTEXT", consumer.getConfiguration().createConsumerProperties().get("security.protocol"));
        assertEquals("PLAINTEXT", dlq.getConfiguration().createProducerProperties().get("security.protocol"));
        // camel-kafka adds the SASL and SSL keys only when the protocol uses them: the same endpoint
        // configurations with SASL_SSL (what a real deployment sets) give the Kafka clients every setting
        var consumerConfig = consumer.getConfiguration().copy();
        consumerConfig.setSecurityProtocol("SASL_SSL");
        var producerConfig = dlq.getConfiguration().copy();
        producerConfig.setSecurityProtocol("SASL_SSL");
        for (Properties p : List.of(consumerConfig.createConsumerProperties(), producerConfig.createProducerProperties())) {
            assertEquals("SASL_SSL", p.get("security.protocol"));
            assertEquals("PLAIN", p.get("sasl.mechanism"));
            assertEquals(JAAS, String.valueOf(p.get("sasl.jaas.config")));
            assertEquals(truststore.toString(), p.get("ssl.truststore.location"));
            assertEquals("ts-pw-it", String.valueOf(p.get("ssl.truststore.password")));
            assertEquals("PKCS12", p.get("ssl.truststore.type"));
            assertEquals("https", p.get("ssl.endpoint.identification.algorithm"));
        }
    }

    @Test
    void prodApiIsReadOnly() throws Exception {
        String body = "{\"camera_id\": 1, \"gps_coordinates\": [48.1, 16.2]}";
        for (String[] call : new String[][] {{"PUT", "/image-plant/potato/"}, {"POST", "/image-plant/potato/"}, {"DELETE", "/image-plant/potato/1"}}) {
            HttpResponse<String> r = send(app.httpPort(), call[0], call[1], body.getBytes(StandardCharsets.UTF_8), "application/json");
            assertEquals(405, r.statusCode(), call[0] + " " + r.body());
            assertTrue(r.body().contains("read-only"), r.body());
        }
    }

    @Test
    void badInputIsAnsweredWithoutStackTracesOrInternals() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        String nested = "[".repeat(5000) + "]".repeat(5000);
        List<Object[]> requests = List.of(
                new Object[] {"GET", "/image-plant/potato/abc", null},
                new Object[] {"GET", "/image-plant/potato/99999999999999999999999999", null},
                new Object[] {"GET", "/image-plant/potato/-1", null},
                new Object[] {"GET", "/image-plant/cabbage/1", null},
                new Object[] {"GET", "/image-plant/potato/?from_id=x&limit=100000", null},
                new Object[] {"GET", "/image-plant/potato/?from_id=0&limit=1001", null},
                new Object[] {"GET", "/image-plant/potato/?from_id[$gt]=0&limit=5", null},
                new Object[] {"GET", "/image-plant/potato/random/?is_active=maybe", null},
                new Object[] {"GET", "/image-plant/%00/1", null},
                new Object[] {"GET", "/image-plant/potato/%7B%22%24ne%22%3A1%7D", null},
                new Object[] {"GET", "/nothing/here", null},
                new Object[] {"POST", "/image-plant/potato/", big},
                new Object[] {"PUT", "/image-plant/potato/", nested.getBytes(StandardCharsets.UTF_8)},
                new Object[] {"PATCH", "/image-plant/potato/1", "{}".getBytes(StandardCharsets.UTF_8)},
                new Object[] {"GET", "/image-plant/potato/1?CamelMongoDbOperation=remove", null});
        for (Object[] q : requests) {
            HttpResponse<String> r = send(app.httpPort(), (String) q[0], (String) q[1], (byte[]) q[2], "application/json");
            String what = q[0] + " " + q[1] + " -> " + r.statusCode() + " " + r.body();
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, what);
            assertTrue(r.body().startsWith("{\"detail\""), "a JSON detail: " + what);
            for (String internal : List.of("Exception", "\tat ", "at org.", "at java.", "org.apache", "com.mongodb", "io.vertx",
                    "Caused by", "java.lang", "org.lims", "camel", "Camel", "bson")) {
                assertFalse(r.body().contains(internal), "'" + internal + "' in " + what);
            }
        }
        assertEquals(413, send(app.httpPort(), "POST", "/image-plant/potato/", big, "application/json").statusCode(),
                "a body over lims.api.max-body-bytes is refused");
        assertEquals(422, send(app.httpPort(), "GET", "/image-plant/potato/?from_id=0&limit=1001", null, null).statusCode(),
                "a page is at most 1000 records");
    }

    @Test
    void managementEndpointsOnlyOnTheManagementPort() throws Exception {
        assertNotEquals(app.httpPort(), app.managementPort());
        assertEquals(200, send(app.managementPort(), "GET", "/observe/health", null, null).statusCode());
        assertEquals(200, send(app.managementPort(), "GET", "/observe/metrics", null, null).statusCode());
        assertEquals(404, send(app.httpPort(), "GET", "/observe/health", null, null).statusCode());
        assertEquals(404, send(app.httpPort(), "GET", "/observe/metrics", null, null).statusCode());
        assertEquals(200, send(app.httpPort(), "GET", "/ping", null, null).statusCode());
        assertEquals(404, send(app.managementPort(), "GET", "/ping", null, null).statusCode());
        assertEquals(404, send(app.managementPort(), "GET", "/image-plant/potato/total/", null, null).statusCode());
    }

    static HttpResponse<String> send(int port, String method, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30));
        if (contentType != null && body != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
