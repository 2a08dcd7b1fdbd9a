package org.lims.consumer.testinfra;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;
import org.lims.consumer.Application;

import static org.awaitility.Awaitility.await;

/** The real application, started in-process exactly as {@code java -jar} starts it, with test settings. */
public final class LimsApp implements AutoCloseable {

    private final Main main;
    private final int httpPort;
    private final int managementPort;

    private LimsApp(Main main, int httpPort, int managementPort) {
        this.main = main;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    public static LimsApp start(Map<String, String> properties) {
        Main main = Application.create("prod");
        int[] ports = freePorts(2);
        int http = ports[0];
        int management = ports[1];
        // in this JVM a start-up error is thrown here, with its message, instead of halting the test JVM
        main.addOverrideProperty("lims.startup.halt-on-error", "false");
        properties.forEach(main::addOverrideProperty);
        main.addOverrideProperty("lims.http.port", String.valueOf(http));
        main.addOverrideProperty("lims.management.port", String.valueOf(management));
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("the application did not start", e);
        }
        LimsApp app = new LimsApp(main, http, management);
        await("sync-batch started").atMost(java.time.Duration.ofSeconds(60))
                .until(() -> app.context().getRouteController().getRouteStatus("sync-batch") == ServiceStatus.Started);
        return app;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public int httpPort() {
        return httpPort;
    }

    public int managementPort() {
        return managementPort;
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} distinct free ports (each held open until all are chosen, so the kernel cannot hand one out twice). */
    public static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a probe socket
                }
            }
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
