package org.lims.consumer.dev;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one), for the
 * dev profile, the tests and the benchmarks. Never used by the prod profile.
 *
 * <p>Runnable on its own so that the benchmark and the fault harness can run the broker as a
 * separate process (from the test classpath, {@code testinfra.ChildProcess}):
 * {@code EmbeddedKafka <port> <log dir> [partitions, 3] [topic,topic,...]} creates the topics named and
 * prints {@code KAFKA_READY <bootstrap servers>}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Large enough for LIMS images as hex and for the oversized poison messages the tests send. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a broker on {@code port} (0: a free one) storing its log under {@code dir}; formats the directory once. */
    public static EmbeddedKafka start(int port, Path dir) {
        return start(port, dir, null);
    }

    /**
     * A listener beside PLAINTEXT (which stays the inter-broker listener), e.g. SASL_SSL for the secured-transport
     * tests: {@code config} holds its {@code listener.name.<name>.*} keys and the broker-wide SASL keys.
     */
    public record Listener(String name, String protocol, int port, Map<String, String> config) {
    }

    /** As {@link #start(int, Path)}, with one more listener (null: none). */
    public static EmbeddedKafka start(int port, Path dir, Listener extra) {
        try {
            int brokerPort = port > 0 ? port : freePort();
            int controllerPort = freePort();
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
            String extraListener = extra == null ? "" : "," + extra.name() + "://localhost:" + extra.port();
            p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort + extraListener);
            p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort + extraListener);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + (extra == null ? "" : "," + extra.name() + ":" + extra.protocol()));
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", dir.toAbsolutePath().toString());
            p.put("num.partitions", "3");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "3");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
            p.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
            p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
            p.put("auto.create.topics.enable", "true");
            if (extra != null) {
                p.putAll(extra.config());
            }
            KafkaConfig config = KafkaConfig.fromProps(p);
            if (!Files.exists(dir.resolve("meta.properties"))) {
                format(dir);
            }
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, brokerPort);
            kafka.awaitReady();
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka broker failed to start: " + e.getMessage(), e);
        }
    }

    private static void format(Path dir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toAbsolutePath().toString()))
                    .setMetadataLogDirectory(dir.toAbsolutePath().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    private void awaitReady() throws Exception {
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates the topics that do not exist yet. */
    public void createTopics(Collection<String> names, int partitions) {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String name : names) {
                if (!existing.contains(name)) {
                    Map<String, String> config = new HashMap<>();
                    config.put("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES));
                    missing.add(new NewTopic(name, partitions, (short) 1).configs(config));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topics " + names + ": " + e.getCause().getMessage(), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + names + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("lims-kafka");
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> topics = args.length > 3 ? Arrays.stream(args[3].split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList() : List.of();
        EmbeddedKafka kafka = start(port, dir);
        kafka.createTopics(topics, partitions);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        System.out.println("KAFKA_READY " + kafka.bootstrapServers());
        Thread.currentThread().join();
    }
}
