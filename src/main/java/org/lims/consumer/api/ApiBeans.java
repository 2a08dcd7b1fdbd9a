package org.lims.consumer.api;

import java.time.ZoneId;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.spi.Registry;
import org.lims.consumer.config.Settings;

/** The REST API's beans, bound by name for the {@code rest*.camel.yaml} routes, and its HTTP server; called from {@code LimsBeans}. */
public final class ApiBeans {

    public static final String READ_ONLY = "lims.api.read-only";
    public static final String MAX_BODY_BYTES = "lims.api.max-body-bytes";
    public static final String CREATE_ATTEMPTS = "lims.api.create-attempts";
    public static final String HTTP_PORT = "lims.http.port";

    private ApiBeans() {
    }

    public static void register(CamelContext context, Settings settings, ZoneId zone) {
        Registry registry = context.getRegistry();
        registry.bind("imageRequests", new ImageRequests());
        registry.bind("imageResponses", new ImageResponses(zone));
        registry.bind("imageWrites", new ImageWrites(settings.flag(READ_ONLY), settings.integer(CREATE_ATTEMPTS, 10)));
        registry.bind("apiErrors", new ApiErrors());
        registry.bind("swaggerUi", new SwaggerUi());
        VertxPlatformHttpServerConfiguration http = ApiServer.configuration(settings.integer(HTTP_PORT, 8080),
                settings.get(MAX_BODY_BYTES).map(Long::parseLong).orElse(1_048_576L));
        // platform-http's engine finds the port its routes register on by this configuration (the server is not listening yet)
        registry.bind("apiServerConfiguration", http);
        ApiServer server = new ApiServer(http);
        try {
            context.addService(server);
            context.addStartupListener(server);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
