package org.lims.consumer.config;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.lims.consumer.dev.EmbeddedInfrastructure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before Camel configures components and loads routes: starts the embedded infrastructure
 * when the profile asks for it (dev), then checks that Kafka and MongoDB answer and binds the
 * shared MongoDB client as {@code limsMongo}. A configuration error ends the process with one line.
 */
public class Bootstrap extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
    /** The name camel-micrometer-prometheus looks up before creating a registry of its own. */
    public static final String METRICS_REGISTRY = "metricsRegistry";

    private EmbeddedInfrastructure embedded;
    private MongoClient mongo;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        Settings settings = new Settings(main.getCamelContext().getPropertiesComponent());
        try {
            if (settings.flag(Settings.EMBEDDED)) {
                embedded = EmbeddedInfrastructure.start(settings);
            }
            String brokers = settings.require(Settings.KAFKA_BROKERS);
            String uri = settings.require(Settings.MONGODB_URI);
            int timeoutMs = settings.integer("lims.startup.check-timeout-ms", 15000);
            ConnectivityCheck.kafka(kafkaAdminConfig(settings, brokers), timeoutMs);
            mongo = MongoClients.create(mongoSettings(uri, timeoutMs));
            ConnectivityCheck.mongo(mongo, uri, settings.require(Settings.MONGODB_DATABASE));
            main.getCamelContext().getRegistry().bind("limsMongo", mongo);
            // bound before Camel's metrics service starts, so that it adopts this registry: every series, Camel's
            // route metrics included, then carries the service label the LIMS dashboard groups by
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            meters.config().commonTags("service", settings.get("lims.metrics.service").orElse("lims-consumer"));
            main.getCamelContext().getRegistry().bind(METRICS_REGISTRY, meters);
            LOG.info("Kafka at {} and MongoDB at {} answer", brokers, Redact.uri(uri));
        } catch (Settings.StartupException | IllegalArgumentException e) {
            System.err.println("lims-consumer: cannot start: " + e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(2);
        }
    }

    /** Brokers plus every {@code lims.kafka.client.*} setting (security: SSL, SASL), shared by the admin client. */
    static Map<String, Object> kafkaAdminConfig(Settings settings, String brokers) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        return config;
    }

    static MongoClientSettings mongoSettings(String uri, int timeoutMs) {
        ConnectionString cs = new ConnectionString(uri);
        MongoClientSettings.Builder builder = MongoClientSettings.builder().applyConnectionString(cs);
        if (cs.getServerSelectionTimeout() == null) {
            // fail an operation in seconds when MongoDB is down, so the retry policy (not the driver's 30 s) paces recovery
            builder.applyToClusterSettings(b -> b.serverSelectionTimeout(Math.min(timeoutMs, 5000), TimeUnit.MILLISECONDS));
        }
        if (cs.getConnectTimeout() == null) {
            builder.applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS));
        }
        return builder.build();
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (mongo != null) {
            mongo.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
