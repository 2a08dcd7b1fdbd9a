package org.lims.consumer.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;

/**
 * Bean {@code swaggerUi}: the Swagger UI page at {@code /docs} (as the Image API serves it), its
 * assets from the {@code org.webjars:swagger-ui} jar, reading the OpenAPI document the REST DSL
 * generates at {@code /openapi.json}. Only the named assets are served.
 */
public class SwaggerUi {

    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final Map<String, String> ASSETS = Map.of(
            "swagger-ui.css", "text/css",
            "swagger-ui-bundle.js", "application/javascript",
            "swagger-ui-standalone-preset.js", "application/javascript",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private final String version = webjarVersion();
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    public void page(Message out) {
        out.removeHeaders("*");
        out.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        out.setBody(new String(read("api/docs.html"), java.nio.charset.StandardCharsets.UTF_8));
    }

    public void asset(@Header("asset") String name, Message out) {
        String type = name == null ? null : ASSETS.get(name);
        if (type == null) {
            throw ApiException.notFound("Not Found");
        }
        byte[] bytes = cache.computeIfAbsent(name, n -> read(WEBJAR + version + "/" + n));
        out.removeHeaders("*");
        out.setHeader(Exchange.CONTENT_TYPE, type);
        out.setHeader("Cache-Control", "public, max-age=86400");
        out.setBody(bytes);
    }

    private static byte[] read(String resource) {
        try (InputStream in = SwaggerUi.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String webjarVersion() {
        Properties p = new Properties();
        try (InputStream in = SwaggerUi.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("org.webjars:swagger-ui is not on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }
}
