package org.lims.consumer.config;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.bson.Document;

/**
 * Fails start-up fast, with one line naming the setting, when Kafka or MongoDB cannot be reached:
 * a pod that starts and then silently retries forever hides a configuration error from its operator.
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
            throw new Settings.StartupException("Kafka is unreachable at " + brokers + " (LIMS_KAFKA_BROKERS / lims.kafka.brokers): "
                    + rootMessage(e));
        }
    }

    static void mongo(MongoClient client, String uri, String database) {
        try {
            client.getDatabase(database).runCommand(new Document("ping", 1));
        } catch (RuntimeException e) {
            throw new Settings.StartupException("MongoDB is unreachable at " + Redact.uri(uri)
                    + " (LIMS_MONGODB_URI / lims.mongodb.uri): " + rootMessage(e));
        }
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
