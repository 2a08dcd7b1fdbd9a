package org.lims.consumer.security;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.Properties;

import com.mongodb.MongoClientSettings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lims.consumer.config.Bootstrap;
import org.lims.consumer.config.Redact;
import org.lims.consumer.config.Settings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kafka and MongoDB security settings reach the client configurations Bootstrap builds. */
class SecuritySettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"lims\" password=\"kafka-pw-1\";";

    static Settings settings(Map<String, String> values) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties p = new Properties();
        p.putAll(values);
        context.getPropertiesComponent().setInitialProperties(p);
        return new Settings(context.getPropertiesComponent());
    }

    @Test
    void kafkaSecuritySettingsReachTheAdminClientAndTheCamelKafkaComponent() {
        Settings s = settings(Map.of(
                "lims.kafka.security-protocol", "SASL_SSL",
                "lims.kafka.sasl-mechanism", "SCRAM-SHA-512",
                "lims.kafka.sasl-jaas-config", JAAS,
                "lims.kafka.ssl-truststore-location", "/etc/lims/kafka-truststore.p12",
                "lims.kafka.ssl-truststore-password", "ts-pw-1",
                "lims.kafka.ssl-truststore-type", "PKCS12"));
        Map<String, Object> admin = Bootstrap.kafkaAdminConfig(s, "kafka:9093");
        assertEquals("kafka:9093", admin.get("bootstrap.servers"));
        assertEquals("SASL_SSL", admin.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", admin.get("sasl.mechanism"));
        assertEquals(JAAS, admin.get("sasl.jaas.config"));
        assertEquals("/etc/lims/kafka-truststore.p12", admin.get("ssl.truststore.location"));
        assertEquals("ts-pw-1", admin.get("ssl.truststore.password"));
        assertEquals("PKCS12", admin.get("ssl.truststore.type"));
        assertFalse(admin.containsKey("ssl.keystore.location"), "unset settings set nothing");

        Bootstrap.applyKafkaSecurity(s);
        assertEquals("SASL_SSL", s.get("camel.component.kafka.securityProtocol").orElseThrow());
        assertEquals("SCRAM-SHA-512", s.get("camel.component.kafka.saslMechanism").orElseThrow());
        assertEquals(JAAS, s.get("camel.component.kafka.saslJaasConfig").orElseThrow());
        assertEquals("ts-pw-1", s.get("camel.component.kafka.sslTruststorePassword").orElseThrow());
        assertTrue(s.get("camel.component.kafka.sslKeystoreLocation").isEmpty());
    }

    @Test
    void aCamelKafkaOptionGivenDirectlyWinsAndReachesTheAdminClientToo() {
        Settings s = settings(Map.of("lims.kafka.security-protocol", "SASL_PLAINTEXT",
                "camel.component.kafka.securityProtocol", "SSL"));
        Bootstrap.applyKafkaSecurity(s);
        assertEquals("SSL", s.get("camel.component.kafka.securityProtocol").orElseThrow());
        assertEquals("SSL", Bootstrap.kafkaAdminConfig(s, "k:1").get("security.protocol"));
    }

    @Test
    void nothingSetMeansPlaintextAsBefore() {
        Map<String, Object> admin = Bootstrap.kafkaAdminConfig(settings(Map.of()), "k:1");
        assertEquals(Map.of("bootstrap.servers", "k:1"), admin);
    }

    @Test
    void everySettingHasTheEnvironmentVariableCamelReads() {
        assertEquals("LIMS_KAFKA_SASL_JAAS_CONFIG", Settings.envName("lims.kafka.sasl-jaas-config"));
        assertEquals("LIMS_KAFKA_SECURITY_PROTOCOL", Settings.envName("lims.kafka.security-protocol"));
        assertEquals("LIMS_MONGODB_TLS_TRUSTSTORE_LOCATION", Settings.envName("lims.mongodb.tls.truststore-location"));
        assertEquals("LIMS_MONGODB_PASSWORD", Settings.envName(Settings.MONGODB_PASSWORD));
    }

    @Test
    void mongoCredentialAndTlsFromSettings(@TempDir Path dir) throws Exception {
        Path truststore = dir.resolve("ca.p12");
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (OutputStream out = Files.newOutputStream(truststore)) {
            empty.store(out, "ts-pw-2".toCharArray());
        }
        Settings s = settings(Map.of(
                "lims.mongodb.username", "lims-sync",
                "lims.mongodb.password", "mongo-pw-2",
                "lims.mongodb.auth-source", "admin",
                "lims.mongodb.tls.truststore-location", truststore.toString(),
                "lims.mongodb.tls.truststore-password", "ts-pw-2",
                "lims.mongodb.tls.truststore-type", "PKCS12",
                "lims.mongodb.tls.allow-invalid-hostnames", "true"));
        MongoClientSettings m = Bootstrap.mongoSettings(s, "mongodb://mongo-0.mongo:27017/imagedbplantconsumer", 15000);
        assertEquals("lims-sync", m.getCredential().getUserName());
        assertEquals("admin", m.getCredential().getSource());
        assertArrayEquals("mongo-pw-2".toCharArray(), m.getCredential().getPassword());
        assertTrue(m.getSslSettings().isEnabled(), "a trust store implies TLS");
        assertTrue(m.getSslSettings().isInvalidHostNameAllowed());
        assertNotNull(m.getSslSettings().getContext(), "the SSLContext built from the trust store");
        assertEquals(5000, m.getClusterSettings().getServerSelectionTimeout(java.util.concurrent.TimeUnit.MILLISECONDS));
        // the readiness ping is built on the same base
        MongoClientSettings ping = Bootstrap.mongoSettingsBuilder(s, "mongodb://mongo-0.mongo:27017/").build();
        assertTrue(ping.getSslSettings().isEnabled());
        assertEquals("lims-sync", ping.getCredential().getUserName());
    }

    @Test
    void mongoCredentialAndTlsFromTheUriAlone() {
        MongoClientSettings m = Bootstrap.mongoSettings(settings(Map.of()),
                "mongodb://lims:uri-pw-3@mongo:27017/imagedbplantconsumer?tls=true&authSource=admin", 15000);
        assertEquals("lims", m.getCredential().getUserName());
        assertEquals("admin", m.getCredential().getSource());
        assertTrue(m.getSslSettings().isEnabled());
        assertNull(m.getSslSettings().getContext(), "the JVM's default trust store");
        MongoClientSettings plain = Bootstrap.mongoSettings(settings(Map.of()), "mongodb://mongo:27017", 15000);
        assertFalse(plain.getSslSettings().isEnabled());
        assertNull(plain.getCredential());
    }

    @Test
    void anUnreadableTrustStoreIsAOneLineStartupErrorWithoutThePassword() {
        Settings s = settings(Map.of("lims.mongodb.tls.truststore-location", "/nonexistent/ca.p12",
                "lims.mongodb.tls.truststore-password", "ts-pw-4"));
        Settings.StartupException e = assertThrows(Settings.StartupException.class,
                () -> Bootstrap.mongoSettings(s, "mongodb://mongo:27017", 15000));
        assertTrue(e.getMessage().contains("/nonexistent/ca.p12"), e.getMessage());
        assertTrue(e.getMessage().contains("lims.mongodb.tls"), e.getMessage());
        assertFalse(e.getMessage().contains("ts-pw-4"));
    }

    @Test
    void redactHidesUriPasswords() {
        assertEquals("mongodb://lims:***@mongo:27017/db?tls=true", Redact.uri("mongodb://lims:p%40ss:w0rd@mongo:27017/db?tls=true"));
        assertEquals("mongodb+srv://u:***@cluster0.example.net/", Redact.uri("mongodb+srv://u:pw@cluster0.example.net/"));
    }

    @Test
    void prodProfileIsReadOnlyWithLimitsAndSeparatePorts() throws Exception {
        Properties base = load("application.properties");
        Properties prod = load("application-prod.properties");
        assertEquals("true", prod.getProperty("lims.api.read-only").trim(), "prod binds the API read-only");
        assertEquals("1048576", base.getProperty("lims.api.max-body-bytes").trim());
        // the API's server is the app's own (ApiServer), built from lims.http.port and lims.api.max-body-bytes
        assertEquals("false", base.getProperty("camel.server.enabled").trim());
        var api = org.lims.consumer.api.ApiServer.configuration(8080, 1_048_576L);
        assertEquals(1_048_576L, api.getMaxBodySize());
        assertFalse(api.getBodyHandler().isHandleFileUploads(), "no multipart uploads stored on disk");
        assertNotEquals(base.getProperty("lims.http.port").trim(), base.getProperty("lims.management.port").trim());
        assertEquals("{{lims.management.port}}", base.getProperty("camel.management.port").trim());
    }

    private static Properties load(String name) throws Exception {
        Properties p = new Properties();
        try (InputStream in = SecuritySettingsTest.class.getClassLoader().getResourceAsStream(name)) {
            p.load(in);
        }
        return p;
    }
}
