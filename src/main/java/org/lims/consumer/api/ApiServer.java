package org.lims.consumer.api;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.lims.consumer.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's HTTP server: Camel's Vert.x platform-http server, the one {@code camel.server.enabled}
 * would start, except that it opens its port only once the Camel context is fully started. A client
 * therefore never meets a half-started API: until then its connection is refused, afterwards every
 * answer is JSON. (camel-main's server listens before the routes are in, and answers Vert.x's
 * {@code <html>... Resource not found} meanwhile.)
 *
 * <p>The answers the server gives before any route runs are in the Image API's shape instead of
 * Vert.x's plain text: 404 for an unknown path, 405 for a known path with another method, 413 for a
 * body over {@code lims.api.max-body-bytes}, 400 for a request Vert.x cannot parse, 500 last.
 */
public class ApiServer extends VertxPlatformHttpServer implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final VertxPlatformHttpServerConfiguration configuration;

    public ApiServer(VertxPlatformHttpServerConfiguration configuration) {
        super(configuration);
        this.configuration = configuration;
    }

    /** Port, body limit, and no multipart uploads stored on disk: the API takes JSON bodies only. */
    public static VertxPlatformHttpServerConfiguration configuration(int port, long maxBodyBytes) {
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindPort(port);
        configuration.setMaxBodySize(maxBodyBytes);
        configuration.getBodyHandler().setHandleFileUploads(false);
        return configuration;
    }

    /** Deferred: the routes register on the router now, the port opens in {@link #onCamelContextFullyStarted}. */
    @Override
    protected void startServer() {
        // nothing yet
    }

    /** A server that never listened has nothing to stop (Camel's stop assumes it listened). */
    @Override
    protected void doStop() throws Exception {
        if (getServer() != null) {
            super.doStop();
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the routes are in, but the context may still fail to start: keep the port closed
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        install(rootRouter(context));
        requirePortFree();
        super.startServer();
        LOG.info("REST API listening on port {}", getPort());
    }

    /**
     * Vert.x reports a failed bind on its event loop only, so the app would run on without its API:
     * a port already taken ends the start-up here instead, naming the setting.
     */
    private void requirePortFree() {
        int port = configuration.getBindPort();
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(configuration.getBindHost(), port));
        } catch (IOException e) {
            throw new Settings.StartupException("the REST API cannot listen on port " + port + " (" + ApiBeans.HTTP_PORT + ", "
                    + Settings.envName(ApiBeans.HTTP_PORT) + "): " + e.getMessage());
        }
    }

    /**
     * The server's root router: Camel mounts its router as a sub-router of it, and Vert.x answers
     * unmatched requests (404, 405) and body-handler failures (413) with the root router's error
     * handlers. Camel 4.18 exposes no getter for it, hence the reflective read; should a Camel
     * upgrade move it, Camel's sub-router is used and those answers keep Vert.x's plain shape (logged).
     */
    private Router rootRouter(CamelContext context) {
        try {
            Field field = VertxPlatformHttpServer.class.getDeclaredField("router");
            field.setAccessible(true);
            if (field.get(this) instanceof Router root) {
                return root;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Cannot reach the HTTP server's root router ({}): 404/405/413 keep Vert.x's plain answers", e.toString());
        }
        return VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getBindPort()));
    }

    void install(Router router) {
        Map<Integer, String> details = Map.of(
                400, "Bad Request",
                404, "Not Found",
                405, "Method Not Allowed",
                413, "Request body larger than " + configuration.getMaxBodySize() + " bytes (lims.api.max-body-bytes)",
                500, "Internal Server Error");
        details.forEach((status, detail) -> {
            if (status != 500) {
                router.errorHandler(status, answer(status, detail));
            }
        });
        Handler<RoutingContext> badRequest = answer(400, details.get(400));
        Handler<RoutingContext> internal = answer(500, details.get(500));
        router.errorHandler(500, ctx -> {
            Throwable failure = ctx.failure();
            if (isUnreadableRequest(failure)) {
                // the request body could not be decoded (a malformed multipart or form body): the client's input
                LOG.debug("Unreadable request {} {}: {}", ctx.request().method(), ctx.request().path(), String.valueOf(failure));
                badRequest.handle(ctx);
            } else {
                LOG.error("HTTP request {} {} failed", ctx.request().method(), ctx.request().path(), failure);
                internal.handle(ctx);
            }
        });
    }

    /**
     * Failures the server meets before any route runs come from reading the request: Netty's
     * decoders (multipart, form, HTTP) and Vert.x's body handling. Route failures never get here:
     * the rest-errors route configuration answers them.
     */
    static boolean isUnreadableRequest(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("io.netty.handler.codec.") || t instanceof IllegalArgumentException
                    || name.contains("Decoder")) {
                return true;
            }
            for (StackTraceElement frame : t.getStackTrace()) {
                // e.g. a GET declaring a multipart body: Vert.x's body handler refuses to read it
                if (frame.getClassName().startsWith("io.vertx.ext.web.handler.impl.BodyHandlerImpl")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Handler<RoutingContext> answer(int status, String detail) {
        String body = ApiErrors.body(detail);
        return ctx -> {
            if (ctx.response().headWritten()) {
                ctx.response().end();
                return;
            }
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
        };
    }
}
