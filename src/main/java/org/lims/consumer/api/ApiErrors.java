package org.lims.consumer.api;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.MongoException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.lims.consumer.api.model.ErrorJson;
import org.lims.consumer.api.model.ValidationErrorJson;
import org.lims.consumer.codec.UnknownPlantException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code apiErrors}: renders a failed request as FastAPI does, {@code {"detail": ...}} with
 * its status. An {@link ApiException} is the answer it carries; anything else is our fault (500,
 * logged) or MongoDB's (503), never the client's input.
 */
public class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public void render(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException api = find(failure, ApiException.class);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        if (api != null) {
            respond(out, api.status(), api.detail());
        } else if (find(failure, UnknownPlantException.class) != null) {
            // route-plant knows no such plant: to a client that is a path that does not exist
            respond(out, 404, "Plant '" + ImageRequests.abbreviate(exchange.getVariable("plant", String.class)) + "' not found");
        } else if (find(failure, MongoException.class) != null) {
            LOG.warn("MongoDB unavailable for {}: {}", exchange.getFromRouteId(), String.valueOf(failure));
            respond(out, 503, "The consumer database is unavailable, try again later");
        } else {
            LOG.error("Request failed in {}", exchange.getFromRouteId(), failure);
            respond(out, 500, "Internal Server Error");
        }
    }

    static void respond(Message out, int status, Object detail) {
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(body(detail));
    }

    /** {@link ErrorJson}, or {@link ValidationErrorJson} for a 422's list of errors. */
    @SuppressWarnings("unchecked")
    public static String body(Object detail) {
        Object body = detail instanceof List<?> errors
                ? new ValidationErrorJson((List<ValidationErrorJson.Item>) errors)
                : new ErrorJson(String.valueOf(detail));
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            return "{\"detail\":\"Internal Server Error\"}";
        }
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
