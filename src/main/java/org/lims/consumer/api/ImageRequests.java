package org.lims.consumer.api;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * Bean {@code imageRequests}: turns the raw HTTP request (path parameters, the raw query string,
 * the body bytes) into typed request values, or a 404/422 answer in the Image API's shape.
 * Nothing the client sends is passed on as it came: numbers become numbers, booleans booleans,
 * and unknown query parameters or body fields are ignored (as FastAPI ignores them).
 */
public class ImageRequests {

    private static final String COLLECTION = org.lims.consumer.sync.WriteIntents.COLLECTION;

    public static final int MAX_LIMIT = 1000;
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Set<String> TRUE = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "off", "f", "false", "n", "no");

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The plant of {@code /image-plant/{plant}/...}, as the client wrote it: {@code route-plant}
     * then maps it to its collection (variable {@code collection}) or answers 404.
     */
    public String plant(@Header(Exchange.HTTP_PATH) String path) {
        return pathSegment(path, 1);
    }

    /** The one document of the {@code is_deployed} collection. */
    public Document deployedQuery() {
        return new Document();
    }

    /** {@code /image-plant/{plant}/{image_id}} */
    public ImageRef imageRef(@Header(Exchange.HTTP_PATH) String path, @Variable(COLLECTION) String collection) {
        String plant = pathSegment(path, 1);
        Validation v = new Validation();
        Number id = pathId(pathSegment(path, 2), v);
        v.throwIfInvalid();
        return new ImageRef(plant, collection, id);
    }

    /** The stored record a request names, or 404. */
    public Document found(@org.apache.camel.Body Document stored, @Variable("request") ImageTarget request) {
        if (stored == null) {
            throw ApiException.imageNotFound(request.id());
        }
        return stored;
    }

    /** {@code GET /image-plant/{plant}/random/?is_active=&has_disease=} */
    public ImageFilter randomFilter(@Header(Exchange.HTTP_PATH) String path, @Header(Exchange.HTTP_QUERY) String query,
                                    @Variable(COLLECTION) String collection) {
        String plant = pathSegment(path, 1);
        Map<String, String> params = queryParams(query);
        Validation v = new Validation();
        Boolean isActive = optionalBoolean(params, "is_active", v);
        Boolean hasDisease = optionalBoolean(params, "has_disease", v);
        v.throwIfInvalid();
        return new ImageFilter(plant, collection, isActive, hasDisease, null, null);
    }

    /** A uniform random offset among {@code count} matches; none -> 404. */
    public int randomOffset(@org.apache.camel.Body Number count, @Variable("request") ImageFilter request) {
        if (count == null || count.longValue() <= 0) {
            throw ApiException.notFound(noMatch(request));
        }
        return (int) java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.min(count.longValue(), Integer.MAX_VALUE));
    }

    static String noMatch(ImageFilter request) {
        return "No image of plant " + request.plant() + " matches the filters";
    }

    /** {@code GET /image-plant/{plant}/?from_id=&limit=&is_active=&has_disease=} */
    public ImageFilter pageFilter(@Header(Exchange.HTTP_PATH) String path, @Header(Exchange.HTTP_QUERY) String query,
                                  @Variable(COLLECTION) String collection) {
        String plant = pathSegment(path, 1);
        Map<String, String> params = queryParams(query);
        Validation v = new Validation();
        Long fromId = requiredInteger(params, "from_id", 0, null, v);
        Long limit = requiredInteger(params, "limit", 1, (long) MAX_LIMIT, v);
        Boolean isActive = optionalBoolean(params, "is_active", v);
        Boolean hasDisease = optionalBoolean(params, "has_disease", v);
        v.throwIfInvalid();
        return new ImageFilter(plant, collection, isActive, hasDisease, fromId, limit.intValue());
    }

    /** {@code PUT /image-plant/{plant}/} with {@code {"camera_id": 1, "gps_coordinates": [lat, lon]}} */
    public ImageCreate create(@Header(Exchange.HTTP_PATH) String path, @Variable(COLLECTION) String collection, Exchange exchange) {
        String plant = pathSegment(path, 1);
        JsonNode root = object(body(exchange));
        Validation v = new Validation();
        Number cameraId = integerField(root, ImageRecordCodec.CAMERA_ID, true, v);
        List<Double> gps = coordinates(root, true, v);
        v.throwIfInvalid();
        return new ImageCreate(plant, collection, cameraId, gps);
    }

    /** {@code POST /image-plant/{plant}/}: {@code id} required; other fields omitted or null mean unchanged. */
    public ImageUpdate update(@Header(Exchange.HTTP_PATH) String path, @Variable(COLLECTION) String collection, Exchange exchange) {
        String plant = pathSegment(path, 1);
        JsonNode root = object(body(exchange));
        Validation v = new Validation();
        Number id = integerField(root, ImageRecordCodec.ID, true, v);
        Document changes = new Document();
        Number cameraId = integerField(root, ImageRecordCodec.CAMERA_ID, false, v);
        if (cameraId != null) {
            changes.put(ImageRecordCodec.CAMERA_ID, cameraId);
        }
        List<Double> gps = coordinates(root, false, v);
        if (gps != null) {
            changes.put(ImageRecordCodec.GPS, gps);
        }
        JsonNode disease = root.get(ImageRecordCodec.DISEASE);
        if (disease != null && !disease.isNull()) {
            if (disease.isTextual()) {
                changes.put(ImageRecordCodec.DISEASE, disease.textValue());
            } else {
                v.notString("body", ImageRecordCodec.DISEASE);
            }
        }
        Double percentage = number(root, ImageRecordCodec.PERCENTAGE, v);
        if (percentage != null) {
            if (percentage < 0) {
                v.notGreaterOrEqual(0, "body", ImageRecordCodec.PERCENTAGE);
            } else if (percentage > 1) {
                v.notLessOrEqual(1, "body", ImageRecordCodec.PERCENTAGE);
            } else {
                changes.put(ImageRecordCodec.PERCENTAGE, percentage);
            }
        }
        for (String flag : List.of(ImageRecordCodec.IS_ACTIVE, ImageRecordCodec.IS_DELETED)) {
            JsonNode node = root.get(flag);
            if (node != null && !node.isNull()) {
                if (node.isBoolean()) {
                    changes.put(flag, node.booleanValue());
                } else {
                    v.notBoolean("body", flag);
                }
            }
        }
        v.throwIfInvalid();
        return new ImageUpdate(plant, collection, id, changes);
    }

    // --- path and query

    /**
     * A path segment, percent-decoded, read from the request path itself: path parameters are not
     * taken from message headers, where a query parameter, form field or HTTP header of the same
     * name would sit beside them.
     */
    static String pathSegment(String path, int index) {
        if (path == null) {
            return null;
        }
        String[] segments = path.startsWith("/") ? path.substring(1).split("/") : path.split("/");
        if (index >= segments.length) {
            return null;
        }
        String segment = segments[index];
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    private static Number pathId(String text, Validation v) {
        if (text == null || !INTEGER.matcher(text).matches()) {
            v.notInteger("path", "image_id");
            return null;
        }
        BigInteger value = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
        if (value.bitLength() > 63) {
            // an integer, but no stored id can be that large: it is simply not there
            throw ApiException.notFound("Image with id " + value + " not found");
        }
        return Ids.narrow(value.longValue());
    }

    /** The raw query string decoded as Starlette does: '+' is a space, the last value of a repeated name wins. */
    static Map<String, String> queryParams(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.put(name, value);
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape stays as it is, like Python's parse_qsl
        }
    }

    private static Long requiredInteger(Map<String, String> params, String name, long min, Long max, Validation v) {
        String text = params.get(name);
        if (text == null) {
            v.missing("query", name);
            return null;
        }
        String trimmed = text.strip();
        if (!INTEGER.matcher(trimmed).matches()) {
            v.notInteger("query", name);
            return null;
        }
        BigInteger value = new BigInteger(trimmed.startsWith("+") ? trimmed.substring(1) : trimmed);
        if (value.compareTo(BigInteger.valueOf(min)) < 0) {
            v.notGreaterOrEqual(min, "query", name);
            return null;
        }
        if (max != null && value.compareTo(BigInteger.valueOf(max)) > 0) {
            v.notLessOrEqual(max, "query", name);
            return null;
        }
        // from_id beyond int64 cannot match any id: clamp, the answer is an empty page either way
        return value.bitLength() > 63 ? Long.MAX_VALUE : value.longValue();
    }

    private static Boolean optionalBoolean(Map<String, String> params, String name, Validation v) {
        String text = params.get(name);
        if (text == null) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (TRUE.contains(t)) {
            return Boolean.TRUE;
        }
        if (FALSE.contains(t)) {
            return Boolean.FALSE;
        }
        v.notBoolean("query", name);
        return null;
    }

    // --- body

    /** The raw body bytes: a form body (which the HTTP layer parses into a map) is not a JSON object. */
    private static byte[] body(Exchange exchange) {
        Object raw = exchange.getMessage().getBody();
        if (raw == null) {
            return null;
        }
        if (raw instanceof Map<?, ?> || raw instanceof java.util.Collection<?>) {
            Validation v = new Validation();
            v.add(List.of("body"), "value is not a valid dict", "type_error.dict", null);
            v.throwIfInvalid();
        }
        return exchange.getMessage().getBody(byte[].class);
    }

    private JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            Validation v = new Validation();
            v.missing("body");
            v.throwIfInvalid();
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getCharOffset());
            Validation v = new Validation();
            v.add(List.of("body", offset), "JSON decode error: " + firstLine(e.getOriginalMessage()),
                    "value_error.jsondecode", null);
            v.throwIfInvalid();
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            Validation v = new Validation();
            v.add(List.of("body"), "value is not a valid dict", "type_error.dict", null);
            v.throwIfInvalid();
        }
        return root;
    }

    private static Number integerField(JsonNode root, String field, boolean required, Validation v) {
        JsonNode node = root.get(field);
        if (node == null) {
            if (required) {
                v.missing("body", field);
            }
            return null;
        }
        if (node.isNull()) {
            if (required) {
                v.notNull("body", field);
            }
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            v.notInteger("body", field);
            return null;
        }
        return Ids.narrow(node.longValue());
    }

    private static Double number(JsonNode root, String field, Validation v) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            v.notFloat("body", field);
            return null;
        }
        return node.doubleValue();
    }

    /** Two numbers: latitude in [-90, 90], longitude in [-180, 180]. */
    private static List<Double> coordinates(JsonNode root, boolean required, Validation v) {
        String field = ImageRecordCodec.GPS;
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (node == null && required) {
                v.missing("body", field);
            } else if (required) {
                v.notNull("body", field);
            }
            return null;
        }
        if (!node.isArray()) {
            v.notList("body", field);
            return null;
        }
        if (node.size() < 2) {
            v.add(List.of("body", field), "ensure this value has at least 2 items", "value_error.list.min_items",
                    Map.of("limit_value", 2));
            return null;
        }
        if (node.size() > 2) {
            v.add(List.of("body", field), "ensure this value has at most 2 items", "value_error.list.max_items",
                    Map.of("limit_value", 2));
            return null;
        }
        List<Double> result = new ArrayList<>(2);
        double[] bounds = {90, 180};
        for (int i = 0; i < 2; i++) {
            JsonNode n = node.get(i);
            if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                v.notFloat("body", field, i);
                continue;
            }
            double value = n.doubleValue();
            if (value < -bounds[i]) {
                v.notGreaterOrEqual((int) -bounds[i], "body", field, i);
            } else if (value > bounds[i]) {
                v.notLessOrEqual((int) bounds[i], "body", field, i);
            } else {
                result.add(value);
            }
        }
        return result.size() == 2 ? result : null;
    }

    private static String firstLine(String message) {
        String m = String.valueOf(message);
        int nl = m.indexOf('\n');
        return abbreviate(nl > 0 ? m.substring(0, nl) : m);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
