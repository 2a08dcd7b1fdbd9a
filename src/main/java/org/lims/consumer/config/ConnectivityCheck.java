package org.lims.consumer.config;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import com.mongodb.MongoSecurityException;
import com.mongodb.client.MongoClient;
import com.mongodb.connection.ServerDescription;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.bson.Document;

/**
 * Fails start-up fast, with one line naming the setting, when Kafka or MongoDB cannot be reached:
 * a pod that starts and then silently retries forever hides a configuration error from its operator.
 * A refused login names the credential setting, an untrusted certificate the trust-store setting; the
 * line holds the server's or the TLS library's reason, never a setting's value.
 */
final class ConnectivityCheck {

    private ConnectivityCheck() {
    }

    static void kafka(Map<String, Object> adminConfig, int timeoutMs) {
        Map<String, Object> config = new java.util.HashMap<>(adminConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        Object brokers = config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new Settings.StartupException(kafkaProblem(e, brokers));
        }
    }

    static String kafkaProblem(Throwable e, Object brokers) {
        if (cause(e, SaslAuthenticationException.class) != null) {
            return "Kafka authentication failed at " + brokers + " (" + named(Settings.KAFKA_SASL_JAAS_CONFIG) + ", "
                    + named(Settings.KAFKA_SASL_MECHANISM) + "): " + rootMessage(e);
        }
        if (cause(e, SslAuthenticationException.class) != null) {
            return "Kafka TLS handshake failed at " + brokers + (untrusted(e) ? ": the broker's certificate is not trusted" : "")
                    + " (" + named(Settings.KAFKA_SSL_TRUSTSTORE) + "): " + rootMessage(e);
        }
        return "Kafka is unreachable at " + brokers + " (" + named(Settings.KAFKA_BROKERS) + "): " + rootMessage(e);
    }

    static void mongo(MongoClient client, String uri, String database) {
        try {
            client.getDatabase(database).runCommand(new Document("ping", 1));
        } catch (RuntimeException e) {
            // a server selection timeout describes every server in one long text; the server's own exception says why
            Throwable reason = client.getClusterDescription().getServerDescriptions().stream().map(ServerDescription::getException)
                    .filter(Objects::nonNull).findFirst().orElse(e);
            throw new Settings.StartupException(mongoProblem(cause(e, MongoSecurityException.class) != null ? e : reason, Redact.uri(uri)));
        }
    }

    static String mongoProblem(Throwable e, String uri) {
        if (cause(e, MongoSecurityException.class) != null) {
            return "MongoDB authentication failed at " + uri + " (the user and password in " + named(Settings.MONGODB_URI) + ", or "
                    + named(Settings.MONGODB_USERNAME) + ", " + named(Settings.MONGODB_PASSWORD) + "): " + rootMessage(e);
        }
        if (cause(e, SSLException.class) != null) {
            return "MongoDB TLS handshake failed at " + uri + (untrusted(e) ? ": the server's certificate is not trusted" : "")
                    + " (" + named(Settings.MONGODB_TLS_TRUSTSTORE) + "): " + rootMessage(e);
        }
        return "MongoDB is unreachable at " + uri + " (" + named(Settings.MONGODB_URI) + "): " + rootMessage(e);
    }

    /** LIMS_X_Y / lims.x.y: both spellings an operator may have used. */
    private static String named(String key) {
        return Settings.envName(key) + " / " + key;
    }

    /** No chain of trust to a trusted CA (PKIX): the trust store lacks the CA that signed the server's certificate. */
    private static boolean untrusted(Throwable e) {
        return cause(e, java.security.cert.CertPathBuilderException.class) != null
                || cause(e, java.security.cert.CertPathValidatorException.class) != null;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        m = m.replace('\n', ' ');
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
