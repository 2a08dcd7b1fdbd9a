package org.lims.consumer.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.lims.consumer.testinfra.AppDefaults;
import org.lims.consumer.testinfra.ChildProcess;

/**
 * The three processes of one scenario: a Kafka broker (KRaft) with its log directory, a Mongo-wire
 * server on an H2 file, and the packaged app. Each can be stopped, killed and started again on the
 * same port and the same data.
 */
final class Cluster implements AutoCloseable {

    /** The app runs on its defaults: their consumer group and dead-letter topic. */
    static final String GROUP = AppDefaults.property("lims.kafka.group-id");
    static final String DLQ = AppDefaults.property("lims.kafka.dlq-topic");

    final Path dir;
    final int kafkaPort = freePort();
    final int mongoPort = freePort();
    final int httpPort = freePort();
    final int managementPort = freePort();
    final List<String> topics;
    private final Map<String, String> appProperties;
    ChildProcess kafka;
    ChildProcess mongo;
    ChildProcess app;
    private int appStarts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Cluster(Path dir, List<String> topics, Map<String, String> extraAppProperties) {
        this.dir = dir;
        this.topics = topics;
        Map<String, String> props = new HashMap<>();
        props.put("lims.kafka.brokers", brokers());
        props.put("lims.mongodb.uri", "mongodb://localhost:" + mongoPort);
        props.put("lims.kafka.topics", String.join(",", topics));
        props.put("lims.http.port", String.valueOf(httpPort));
        props.put("lims.management.port", String.valueOf(managementPort));
        // static membership, as deployed (the pod name): a restarted instance gets its partitions back at once
        props.put("camel.component.kafka.groupInstanceId", "fault-harness-instance");
        props.putAll(extraAppProperties);
        this.appProperties = props;
    }

    String brokers() {
        return "localhost:" + kafkaPort;
    }

    String mongoUri() {
        return "mongodb://localhost:" + mongoPort;
    }

    void startKafka() {
        kafka = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedKafka", String.valueOf(kafkaPort), dir.resolve("kafka-data").toString(),
                        "3", String.join(",", topics))
                .name("kafka").jvmArgs("-Xmx768m").log(dir.resolve("kafka.log")).startAndAwait("KAFKA_READY", 120);
    }

    void startMongo() {
        mongo = ChildProcess.mainClass("org.lims.consumer.dev.EmbeddedMongo", String.valueOf(mongoPort), dir.resolve("mongo-data/consumer.mv").toString())
                .name("mongo").jvmArgs("-Xmx768m").log(dir.resolve("mongo.log")).startAndAwait("MONGO_READY", 120);
    }

    /** Starts the app and waits until it is ready (partitions assigned, MongoDB answering). */
    void startApp() {
        appStarts++;
        app = ChildProcess.app(appProperties, Map.of());
        awaitReady(Duration.ofSeconds(120));
    }

    void startAppNoWait() {
        appStarts++;
        app = ChildProcess.app(appProperties, Map.of());
    }

    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("the app exited:\n" + app.output());
            }
            if (status("http://localhost:" + managementPort + "/observe/health/ready") == 200) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException("the app was not ready within " + timeout + ":\n" + app.output());
    }

    int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    int appStarts() {
        return appStarts;
    }

    /** Keeps the app's output of every run, for a post-mortem. */
    void saveAppLog() {
        if (app != null) {
            try {
                java.nio.file.Files.writeString(dir.resolve("app-" + appStarts + ".log"), app.output());
            } catch (IOException e) {
                // diagnostics only
            }
        }
    }

    /** The scenario is over and checked: SIGKILL everything (no graceful shutdown to wait for). */
    @Override
    public void close() {
        if (app != null) {
            app.kill();
            saveAppLog();
        }
        if (mongo != null) {
            mongo.kill();
        }
        if (kafka != null) {
            kafka.kill();
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
