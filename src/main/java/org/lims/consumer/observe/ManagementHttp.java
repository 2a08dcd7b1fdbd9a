package org.lims.consumer.observe;

import java.util.List;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Component {@code management-http}: platform-http routes served by camel-main's management server
 * (port {@code camel.management.port}) instead of the API server, for operator endpoints such as
 * {@code /observe/dlq} that must never be reachable where the API is.
 *
 * <p>Camel 4.18's {@code platform-http} always binds route consumers to the main server's router
 * ({@code VertxPlatformHttpEngine.getServerPort()} prefers it); the management server registers its
 * own router as {@code platform-http-router-<port>} but exposes no component for routes. This engine
 * binds consumers to that router. It implements the engine interface rather than extending
 * {@code VertxPlatformHttpEngine}, whose initialisation registers itself as the context's default
 * engine and would move the REST API onto the management port.
 */
public final class ManagementHttp implements PlatformHttpEngine {

    public static final String COMPONENT = "management-http";

    private final int port;

    private ManagementHttp(int port) {
        this.port = port;
    }

    public static PlatformHttpComponent component(int managementPort) {
        PlatformHttpComponent component = new PlatformHttpComponent();
        component.setEngine(new ManagementHttp(managementPort));
        return component;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        String router = VertxPlatformHttpRouter.getRouterNameFromPort(port);
        if (VertxPlatformHttpRouter.lookup(endpoint.getCamelContext(), router) == null) {
            // the consumer would fall back to another server's router: refuse rather than serve operator endpoints there
            throw new IllegalStateException("no management server on port " + port + " for " + endpoint.getEndpointUri()
                    + " (camel.management.enabled, camel.management.port)");
        }
        return new VertxPlatformHttpConsumer(endpoint, processor, List.of(), router);
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
