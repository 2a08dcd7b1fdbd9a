package org.lims.consumer.api;

import java.time.ZoneId;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.lims.consumer.config.Settings;

/** The REST API's beans, bound by name for {@code rest.camel.yaml}; called from {@code LimsBeans}. */
public final class ApiBeans {

    public static final String READ_ONLY = "lims.api.read-only";
    public static final String MAX_BODY_BYTES = "lims.api.max-body-bytes";

    private ApiBeans() {
    }

    public static void register(CamelContext context, Settings settings, ZoneId zone) {
        ImageResponses responses = new ImageResponses(zone);
        Registry registry = context.getRegistry();
        registry.bind("imageRequests", new ImageRequests());
        registry.bind("imageResponses", responses);
        registry.bind("imageWrites", new ImageWrites(context, settings.flag(READ_ONLY), responses));
        registry.bind("apiErrors", new ApiErrors());
        registry.bind("swaggerUi", new SwaggerUi());
        try {
            context.addStartupListener(new ApiServer(settings.integer("lims.http.port", 8080), settings.get(MAX_BODY_BYTES).map(Long::parseLong).orElse(1_048_576L)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
