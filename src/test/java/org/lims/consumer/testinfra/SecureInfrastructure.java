package org.lims.consumer.testinfra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.Assumptions;
import org.lims.consumer.dev.EmbeddedKafka;

import static org.awaitility.Awaitility.await;

/**
 * Kafka behind SASL_SSL and MongoDB behind TLS, as production runs them, for the secured-transport tests; started
 * once, on first use. A broker of its own (KRaft) with a SASL_SSL listener (SCRAM-SHA-512, the user created through
 * the admin API as an operator does, and PLAIN) beside the PLAINTEXT one the tests set up topics and read the
 * dead letters through; {@code stunnel4} terminating TLS in front of the suite's Mongo-wire server (which speaks no
 * TLS). Certificates and passwords are made at start (nothing committed). Without stunnel the tests are skipped
 * with the reason, except in CI, which installs it (.ci/run).
 */
public final class SecureInfrastructure {

    public static final String SCRAM_USER = "lims-consumer";
    public static final String PLAIN_USER = "lims-consumer-plain";
    private static SecureInfrastructure instance;

    private final TestCertificates certificates;
    private final EmbeddedKafka kafka;
    private final int saslPort;
    private final Process stunnel;
    private final int tlsMongoPort;
    private final String scramPassword;
    private final String plainPassword;

    private SecureInfrastructure(TestCertificates certificates, EmbeddedKafka kafka, int saslPort, Process stunnel, int tlsMongoPort,
                                 String scramPassword, String plainPassword) {
        this.certificates = certificates;
        this.kafka = kafka;
        this.saslPort = saslPort;
        this.stunnel = stunnel;
        this.tlsMongoPort = tlsMongoPort;
        this.scramPassword = scramPassword;
        this.plainPassword = plainPassword;
    }

    public static synchronized SecureInfrastructure get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static SecureInfrastructure start() {
        Path stunnelBinary = List.of("/usr/bin/stunnel4", "/usr/bin/stunnel", "/usr/local/bin/stunnel").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (stunnelBinary == null) {
            String reason = "stunnel4 is not installed (apt-get install stunnel4; .ci/run installs it): no TLS MongoDB endpoint";
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("CI must provide stunnel4: " + reason);
            }
            Assumptions.abort(reason);
        }
        Path dir = LimsInfrastructure.tempDir("lims-secure");
        long started = System.nanoTime();
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        String scramPassword = "scram-" + UUID.randomUUID();
        String plainPassword = "plain-" + UUID.randomUUID();
        int saslPort = LimsApp.freePort();
        Map<String, String> listener = new LinkedHashMap<>();
        listener.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
        listener.put("listener.name.secure.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        listener.put("listener.name.secure.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + PLAIN_USER + "=\"" + plainPassword + "\";");
        listener.put("listener.name.secure.ssl.keystore.location", certs.keyStore().toString());
        listener.put("listener.name.secure.ssl.keystore.password", certs.password());
        listener.put("listener.name.secure.ssl.keystore.type", "PKCS12");
        listener.put("listener.name.secure.ssl.key.password", certs.password());
        EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"), new EmbeddedKafka.Listener("SECURE", "SASL_SSL", saslPort, listener));
        try (Admin admin = kafka.admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCRAM_USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), scramPassword))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            kafka.close();
            throw new IllegalStateException("cannot create the SCRAM user", e);
        }
        // the broker learns the credential from the metadata log a moment after the controller took it
        Map<String, Object> client = new java.util.HashMap<>(Map.of("bootstrap.servers", "localhost:" + saslPort, "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", jaas("SCRAM-SHA-512", SCRAM_USER, scramPassword),
                "ssl.truststore.location", certs.trustStore().toString(), "ssl.truststore.password", certs.password(), "ssl.truststore.type", "PKCS12"));
        await("a SCRAM-SHA-512 login on the SASL_SSL listener").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Admin admin = Admin.create(client)) {
                return !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty();
            }
        });
        ConnectionString mongo = new ConnectionString(LimsInfrastructure.mongoUri());
        int tlsMongoPort = LimsApp.freePort();
        Process stunnel = startStunnel(stunnelBinary, dir, certs, tlsMongoPort, mongo.getHosts().get(0));
        SecureInfrastructure secure = new SecureInfrastructure(certs, kafka, saslPort, stunnel, tlsMongoPort, scramPassword, plainPassword);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stunnel.destroy();
            kafka.close();
        }));
        System.out.printf(java.util.Locale.ROOT, "secured transports: SASL_SSL broker at %s, TLS MongoDB at %s (%.1f s)%n",
                secure.securedBrokers(), secure.tlsMongoUri(), (System.nanoTime() - started) / 1e9);
        return secure;
    }

    private static Process startStunnel(Path binary, Path dir, TestCertificates certs, int acceptPort, String connect) {
        try {
            Path conf = dir.resolve("stunnel.conf");
            Path log = dir.resolve("stunnel.log");
            Files.writeString(conf, String.join("\n", "foreground = yes", "pid =", "debug = notice", "", "[mongodb]",
                    "accept = 127.0.0.1:" + acceptPort, "connect = " + connect, "cert = " + certs.chainPem(), "key = " + certs.keyPem(), ""),
                    StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder(binary.toString(), conf.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            await("stunnel accepting on " + acceptPort).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("stunnel exited: " + Files.readString(log));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", acceptPort), 200);
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The SASL_SSL listener; the certificate is for localhost. */
    public String securedBrokers() {
        return "localhost:" + saslPort;
    }

    /** PLAINTEXT, no authentication: the tests' own producers, consumers and topic creation. */
    public String plaintextBrokers() {
        return kafka.bootstrapServers();
    }

    public String tlsMongoUri() {
        return "mongodb://localhost:" + tlsMongoPort + "/?tls=true";
    }

    public TestCertificates certificates() {
        return certificates;
    }

    public void createTopics(List<String> topics, int partitions) {
        kafka.createTopics(topics, partitions);
    }

    public String password(String mechanism) {
        return "PLAIN".equals(mechanism) ? plainPassword : scramPassword;
    }

    /** What an operator sets for SASL_SSL (this mechanism) and TLS MongoDB, as environment variables (docs/security.md). */
    public Map<String, String> appEnvironment(String mechanism) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LIMS_KAFKA_BROKERS", securedBrokers());
        env.put("LIMS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("LIMS_KAFKA_SASL_MECHANISM", mechanism);
        env.put("LIMS_KAFKA_SASL_JAAS_CONFIG", jaas(mechanism, "PLAIN".equals(mechanism) ? PLAIN_USER : SCRAM_USER, password(mechanism)));
        env.put("LIMS_KAFKA_SSL_TRUSTSTORE_LOCATION", certificates.trustStore().toString());
        env.put("LIMS_KAFKA_SSL_TRUSTSTORE_PASSWORD", certificates.password());
        env.put("LIMS_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        env.put("LIMS_MONGODB_URI", tlsMongoUri());
        env.put("LIMS_MONGODB_TLS_TRUSTSTORE_LOCATION", certificates.trustStore().toString());
        env.put("LIMS_MONGODB_TLS_TRUSTSTORE_PASSWORD", certificates.password());
        env.put("LIMS_MONGODB_TLS_TRUSTSTORE_TYPE", "PKCS12");
        return env;
    }

    public static String jaas(String mechanism, String user, String password) {
        String module = "PLAIN".equals(mechanism) ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }
}
