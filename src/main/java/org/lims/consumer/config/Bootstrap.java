package org.lims.consumer.config;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.lims.consumer.api.ApiBeans;
import org.lims.consumer.observe.ProducerReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before Camel configures components and loads routes: checks that Kafka and MongoDB answer
 * and binds the shared MongoDB client as {@code limsMongo}. A configuration error ends the process
 * with one line. Nothing here starts infrastructure: production talks to what it is given.
 *
 * <p>When {@code lims.producer.mongodb.uri} is set it also binds {@code producerMongo}, the client of
 * the producer database that reconciliation reads (never checked at start-up: a producer database
 * that is down must not stop the sync), and {@code producerReads}, which counts what it reads.
 */
public class Bootstrap extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
    /** The name camel-micrometer-prometheus looks up before creating a registry of its own. */
    public static final String METRICS_REGISTRY = "metricsRegistry";
    /** The plant declaration, checked here so that a topic without a collection ends start-up with one line. */
    public static final String PLANTS = "plants";

    /** The producer database client (reconciliation), bound only when lims.producer.mongodb.uri is set. */
    public static final String PRODUCER_MONGO = "producerMongo";
    public static final String PRODUCER_READS = "producerReads";

    private MongoClient mongo;
    private MongoClient producerMongo;
    private CompletableFuture<Void> checks = CompletableFuture.completedFuture(null);
    private String checked;
    private boolean haltOnError = true;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        Settings settings = new Settings(main.getCamelContext().getPropertiesComponent());
        // halting unless told not to: a properties file without the setting keeps the one-line exit
        haltOnError = !"false".equals(settings.get("lims.startup.halt-on-error").orElse("true"));
        try {
            separatePorts(settings);
            Plants plants = Plants.from(settings);
            String brokers = settings.require(Settings.KAFKA_BROKERS);
            String uri = settings.require(Settings.MONGODB_URI);
            int timeoutMs = settings.integer("lims.startup.check-timeout-ms", 15000);
            applyKafkaSecurity(settings);
            mongo = MongoClients.create(mongoSettings(settings, uri, timeoutMs));
            String database = settings.require(Settings.MONGODB_DATABASE);
            Map<String, Object> kafkaAdmin = kafkaAdminConfig(settings, brokers);
            // the two checks run side by side while Camel loads the routes (mostly class loading and first
            // connections, seconds on 2 cores at a cold start); afterConfigure waits for them, before anything starts
            checks = CompletableFuture.allOf(
                    inBackground("kafka-check", () -> ConnectivityCheck.kafka(kafkaAdmin, timeoutMs)),
                    inBackground("mongodb-check", () -> ConnectivityCheck.mongo(mongo, uri, database)));
            checked = "Kafka at " + brokers + " and MongoDB at " + Redact.uri(uri) + " answer";
            main.getCamelContext().getRegistry().bind("limsMongo", mongo);
            main.getCamelContext().getRegistry().bind(PLANTS, plants);
            // bound before Camel's metrics service starts, so that it adopts this registry: every series, Camel's
            // route metrics included, then carries the service label the LIMS dashboard groups by
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            meters.config().commonTags("service", settings.get("lims.metrics.service").orElse("lims-consumer"));
            main.getCamelContext().getRegistry().bind(METRICS_REGISTRY, meters);
            bindProducerClient(main, settings, timeoutMs);
        } catch (Settings.StartupException | IllegalArgumentException e) {
            cannotStart(e);
        }
    }

    /**
     * The API and the management endpoints on ports of their own. The same fixed port cannot serve both; and with both
     * on 0 ("any free port") the Vert.x routers, registered by port, cannot be told apart: the management routes
     * ({@code /observe/dlq}, replay included) would bind to the API server's. 0 can serve one of them.
     */
    private static void separatePorts(Settings settings) {
        int http = settings.integer(ApiBeans.HTTP_PORT, 8080);
        int management = settings.integer(Settings.MANAGEMENT_PORT, 9876);
        if (http == management) {
            throw new Settings.StartupException("the REST API and the management endpoints need ports of their own, not both " + http + " ("
                    + Settings.envName(ApiBeans.HTTP_PORT) + ", " + Settings.envName(Settings.MANAGEMENT_PORT) + (http == 0 ? "; 0, any free port, can serve one of them)" : ")"));
        }
    }

    /** The connectivity checks started in beforeConfigure: nothing starts (no route, no consumer) until both answered. */
    @Override
    public void afterConfigure(BaseMainSupport main) {
        try {
            checks.join();
            LOG.info(checked);
        } catch (CompletionException e) {
            cannotStart(e.getCause() instanceof Settings.StartupException startup ? startup : e);
        }
    }

    private static CompletableFuture<Void> inBackground(String name, Runnable check) {
        return CompletableFuture.runAsync(check, task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        });
    }

    /**
     * One line and exit 2, or, where the app runs inside another JVM ({@code lims.startup.halt-on-error=false}: the
     * in-process tests), the error thrown to whoever started it, so that it neither dies unexplained nor takes that JVM down.
     */
    private void cannotStart(RuntimeException e) {
        if (!haltOnError) {
            throw e instanceof Settings.StartupException ? e : new Settings.StartupException(e.getMessage());
        }
        System.err.println("lims-consumer: cannot start: " + e.getMessage());
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }

    private void bindProducerClient(BaseMainSupport main, Settings settings, int timeoutMs) {
        Optional<String> producerUri = settings.get(Settings.PRODUCER_MONGODB_URI);
        settings.override(Settings.RECONCILE_ENABLED, String.valueOf(producerUri.isPresent()));
        if (producerUri.isEmpty()) {
            return;
        }
        // checked here so that a bad lims.reconcile.* value ends start-up with one line
        org.lims.consumer.reconcile.ReconcileSettings.from(settings);
        ProducerReads reads = new ProducerReads();
        MongoClientSettings.Builder builder = MongoClientSettings.builder(
                mongoSettings(settings, producerUri.get(), timeoutMs, Settings::producerKey)).addCommandListener(reads);
        if (new ConnectionString(producerUri.get()).getSocketTimeout() == null) {
            // a producer database that hangs fails the run (retried later) instead of holding it forever
            builder.applyToSocketSettings(b -> b.readTimeout(60, TimeUnit.SECONDS));
        }
        producerMongo = MongoClients.create(builder.build());
        main.getCamelContext().getRegistry().bind(PRODUCER_MONGO, producerMongo);
        main.getCamelContext().getRegistry().bind(PRODUCER_READS, reads);
        LOG.info("Reconciliation on: producer database {} at {}", settings.get(Settings.PRODUCER_MONGODB_DATABASE).orElse("?"),
                Redact.uri(producerUri.get()));
    }

    /**
     * The Kafka security settings ({@code lims.kafka.security-protocol}, {@code sasl-*}, {@code ssl-*}) as
     * camel-kafka component options: the sync consumer and the dead-letter producer get them. A setting
     * given directly as {@code camel.component.kafka.<option>} wins.
     */
    public static void applyKafkaSecurity(Settings settings) {
        for (String[] s : Settings.KAFKA_SECURITY) {
            String option = "camel.component.kafka." + s[1];
            if (settings.get(option).isEmpty()) {
                settings.get(s[0]).ifPresent(v -> settings.override(option, v));
            }
        }
    }

    /** Brokers plus the Kafka security settings, for the admin clients (start-up check, dead-letter topic). */
    public static Map<String, Object> kafkaAdminConfig(Settings settings, String brokers) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        for (String[] s : Settings.KAFKA_SECURITY) {
            settings.get("camel.component.kafka." + s[1]).or(() -> settings.get(s[0])).ifPresent(v -> config.put(s[2], v));
        }
        return config;
    }

    /**
     * The MongoDB client settings: the URI (which may carry credentials and {@code tls=true}), then the
     * {@code lims.mongodb.username/password/auth-source} credential and the {@code lims.mongodb.tls.*}
     * settings (trust store for a private CA, key store for a client certificate).
     */
    public static MongoClientSettings mongoSettings(Settings settings, String uri, int timeoutMs) {
        return mongoSettings(settings, uri, timeoutMs, UnaryOperator.identity());
    }

    /** @param key maps a consumer client setting ({@code lims.mongodb.*}) to the one this client reads */
    static MongoClientSettings mongoSettings(Settings settings, String uri, int timeoutMs, UnaryOperator<String> key) {
        MongoClientSettings.Builder builder = mongoSettingsBuilder(settings, uri, key);
        ConnectionString cs = new ConnectionString(uri);
        if (cs.getServerSelectionTimeout() == null) {
            // fail an operation in seconds when MongoDB is down, so the retry policy (not the driver's 30 s) paces recovery
            builder.applyToClusterSettings(b -> b.serverSelectionTimeout(Math.min(timeoutMs, 5000), TimeUnit.MILLISECONDS));
        }
        if (cs.getConnectTimeout() == null) {
            builder.applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS));
        }
        return builder.build();
    }

    /** URI, credential and TLS: what every MongoDB client of the app (the shared one, the readiness ping) is built on. */
    public static MongoClientSettings.Builder mongoSettingsBuilder(Settings settings, String uri) {
        return mongoSettingsBuilder(settings, uri, UnaryOperator.identity());
    }

    private static MongoClientSettings.Builder mongoSettingsBuilder(Settings settings, String uri, UnaryOperator<String> key) {
        ConnectionString cs = new ConnectionString(uri);
        MongoClientSettings.Builder builder = MongoClientSettings.builder().applyConnectionString(cs);
        Optional<String> user = settings.get(key.apply(Settings.MONGODB_USERNAME));
        if (user.isPresent()) {
            String source = settings.get(key.apply(Settings.MONGODB_AUTH_SOURCE)).orElse(cs.getDatabase() != null ? cs.getDatabase() : "admin");
            char[] password = settings.get(key.apply(Settings.MONGODB_PASSWORD)).orElse("").toCharArray();
            builder.credential(MongoCredential.createCredential(user.get(), source, password));
        }
        Optional<String> truststore = settings.get(key.apply(Settings.MONGODB_TLS_TRUSTSTORE));
        Optional<String> keystore = settings.get(key.apply(Settings.MONGODB_TLS_KEYSTORE));
        boolean tls = settings.flag(key.apply(Settings.MONGODB_TLS_ENABLED)) || truststore.isPresent() || keystore.isPresent();
        if (tls) {
            boolean invalidHostNames = settings.flag(key.apply(Settings.MONGODB_TLS_ALLOW_INVALID_HOSTNAMES));
            SSLContext context = truststore.isPresent() || keystore.isPresent() ? sslContext(settings, truststore, keystore, key) : null;
            builder.applyToSslSettings(b -> {
                b.enabled(true).invalidHostNameAllowed(invalidHostNames);
                if (context != null) {
                    b.context(context);
                }
            });
        }
        return builder;
    }

    private static SSLContext sslContext(Settings settings, Optional<String> truststore, Optional<String> keystore, UnaryOperator<String> key) {
        try {
            TrustManagerFactory tmf = null;
            if (truststore.isPresent()) {
                KeyStore ts = load(truststore.get(), settings.get(key.apply(Settings.MONGODB_TLS_TRUSTSTORE_TYPE)).orElse(KeyStore.getDefaultType()),
                        settings.get(key.apply(Settings.MONGODB_TLS_TRUSTSTORE_PASSWORD)).orElse(null));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
            }
            KeyManagerFactory kmf = null;
            if (keystore.isPresent()) {
                char[] password = settings.get(key.apply(Settings.MONGODB_TLS_KEYSTORE_PASSWORD)).orElse("").toCharArray();
                KeyStore ks = load(keystore.get(), settings.get(key.apply(Settings.MONGODB_TLS_KEYSTORE_TYPE)).orElse(KeyStore.getDefaultType()),
                        new String(password));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            // the message names the file, never a password
            throw new Settings.StartupException("MongoDB TLS key or trust store cannot be read (" + key.apply("lims.mongodb.tls.*") + "): "
                    + e.getMessage());
        }
    }

    private static KeyStore load(String location, String type, String password) throws java.io.IOException, java.security.GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password == null ? null : password.toCharArray());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new java.io.FileNotFoundException(location + " does not exist");
        }
        return store;
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (mongo != null) {
            mongo.close();
        }
        if (producerMongo != null) {
            producerMongo.close();
        }
    }
}
