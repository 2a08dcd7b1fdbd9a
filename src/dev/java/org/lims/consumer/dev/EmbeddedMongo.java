package org.lims.consumer.dev;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * A MongoDB-wire server (mongo-java-server) for the dev profile, the tests and the benchmarks:
 * no {@code mongod} can be installed on these machines. With a file the H2 backend keeps the data
 * across restarts; without one the data lives in memory.
 *
 * <p>Runnable on its own, as a separate process of the benchmark and the fault harness:
 * {@code EmbeddedMongo <port> [file.mv]} prints {@code MONGO_READY <connection string>}.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** @param file the H2 store file, or null for the in-memory backend */
    public static EmbeddedMongo start(int port, Path file) {
        try {
            MongoBackend backend;
            if (file == null) {
                backend = new MemoryBackend();
            } else {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                backend = new H2Backend(file.toAbsolutePath().toString());
            }
            MongoServer server = new MongoServer(backend);
            server.bind("localhost", port > 0 ? port : EmbeddedKafka.freePort());
            return new EmbeddedMongo(server, server.getLocalAddress());
        } catch (Exception e) {
            throw new IllegalStateException("embedded Mongo-wire server failed to start: " + e.getMessage(), e);
        }
    }

    public String connectionString() {
        return "mongodb://localhost:" + address.getPort();
    }

    public int port() {
        return address.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 27017;
        Path file = args.length > 1 ? Path.of(args[1]) : null;
        EmbeddedMongo mongo = start(port, file);
        Runtime.getRuntime().addShutdownHook(new Thread(mongo::close));
        System.out.println("MONGO_READY " + mongo.connectionString());
        Thread.currentThread().join();
    }
}
