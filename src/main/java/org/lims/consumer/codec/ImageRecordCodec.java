package org.lims.consumer.codec;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import org.bson.Document;

/**
 * Decodes the LIMS Kafka message (UTF-8 JSON image record) into the BSON document the consumer
 * database stores: {@code data} hex to binary, ISO local date-times to BSON dates, integers as
 * int32/int64 as their value requires. Fields the contract does not name are kept as they are.
 *
 * <p>A streaming parser is used on purpose: messages carry tens of KB of hex, and decoding the
 * hex straight from the parser's character buffer avoids two full copies per message.
 */
public final class ImageRecordCodec {

    public static final String ID = "id";
    public static final String CAMERA_ID = "camera_id";
    public static final String DATA = "data";
    public static final String GPS = "gps_coordinates";
    public static final String CREATED_AT = "created_at";
    public static final String UPDATED_AT = "updated_at";
    public static final String IS_ACTIVE = "is_active";
    public static final String IS_DELETED = "is_deleted";
    public static final String DISEASE = "disease";
    public static final String PERCENTAGE = "percentage";
    /** An envelope field, not a record field: it is honoured and never stored. */
    public static final String OPERATION = "operation";

    public static final Set<String> OPERATIONS = Set.of("create", "update", "delete");

    private final JsonFactory json;
    private final ZoneId sourceZone;

    public ImageRecordCodec(ZoneId sourceZone, int maxValueBytes) {
        this.sourceZone = sourceZone;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Math.max(maxValueBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                        .maxNestingDepth(64)
                        .build())
                .build();
    }

    public ImageRecordCodec() {
        this(ZoneId.of("UTC"), 20_000_000);
    }

    /** Decodes a Kafka value; a null value is a tombstone whose id comes from the key. */
    public ImageRecord decode(byte[] value, String key) {
        return decode(value == null ? null : ByteBuffer.wrap(value), key);
    }

    /**
     * Decodes a Kafka value as the consumer hands it over: a view of the fetched bytes, read where it lies (no
     * copy of tens of KB per message), its position left as it was; a null value is a tombstone whose id comes
     * from the key.
     */
    public ImageRecord decode(ByteBuffer value, String key) {
        if (value == null) {
            return new ImageRecord(null, idFromKey(key), null, null);
        }
        byte[] bytes;
        int offset;
        if (value.hasArray()) {
            bytes = value.array();
            offset = value.arrayOffset() + value.position();
        } else {
            bytes = new byte[value.remaining()];
            value.duplicate().get(bytes);
            offset = 0;
        }
        return decode(bytes, offset, offset + value.remaining());
    }

    private ImageRecord decode(byte[] value, int offset, int end) {
        Document doc = new Document();
        String operation = null;
        JsonParser p = null;
        try {
            p = json.createParser(value, offset, end - offset);
            // the bytes p reads, and where they start and end: after the image, the rest of the message (see
            // resumeAfterImage); the parser's byte offsets count from sourceStart
            byte[] source = value;
            int sourceStart = offset;
            int sourceEnd = end;
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRecordException(RejectionReason.NOT_AN_OBJECT, "the value is JSON but not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                if (DATA.equals(field) && token == JsonToken.VALUE_STRING) {
                    Hex.Quoted image = hexFromBytes(p, source, sourceStart, sourceEnd);
                    if (image != null) {
                        doc.put(DATA, image.bytes());
                        byte[] rest = resumeAfterImage(source, image.closingQuote() + 1, sourceEnd);
                        if (rest != null) {
                            p.close();
                            p = json.createParser(rest);
                            p.nextToken();
                            source = rest;
                            sourceStart = 0;
                            sourceEnd = rest.length;
                        }
                        continue;
                    }
                }
                switch (field) {
                    case ID -> doc.put(ID, requiredId(p, token));
                    case CAMERA_ID -> doc.put(CAMERA_ID, integerOrNull(p, token, CAMERA_ID));
                    case DATA -> doc.put(DATA, hexOrNull(p, token));
                    case GPS -> doc.put(GPS, coordinatesOrNull(p, token));
                    case CREATED_AT, UPDATED_AT -> doc.put(field, dateOrNull(p, token, field));
                    case IS_ACTIVE, IS_DELETED -> doc.put(field, booleanOrNull(token, field));
                    case DISEASE -> doc.put(DISEASE, stringOrNull(p, token, DISEASE));
                    case PERCENTAGE -> doc.put(PERCENTAGE, doubleOrNull(p, token, PERCENTAGE));
                    case OPERATION -> operation = operation(p, token);
                    default -> doc.put(field, anyValue(p, token));
                }
            }
            if (p.nextToken() != null) {
                throw new InvalidRecordException(RejectionReason.NOT_JSON, "trailing content after the JSON object");
            }
        } catch (JsonEOFException e) {
            throw new InvalidRecordException(RejectionReason.NOT_JSON, "truncated JSON: " + firstLine(e), e);
        } catch (JsonParseException e) {
            String message = firstLine(e);
            RejectionReason reason = message.contains("UTF-8") || message.contains("UTF8") ? RejectionReason.INVALID_ENCODING : RejectionReason.NOT_JSON;
            throw new InvalidRecordException(reason, "value is not valid JSON: " + message, e);
        } catch (IOException e) {
            throw new InvalidRecordException(RejectionReason.NOT_JSON, "value is not valid JSON: " + firstLine(e), e);
        } finally {
            closeQuietly(p);
        }
        Object id = doc.get(ID);
        if (id == null) {
            throw new InvalidRecordException(RejectionReason.MISSING_ID, "the record has no 'id'");
        }
        return new ImageRecord(doc, (Number) id, version(doc), operation);
    }

    /** {@code updated_at}, or {@code created_at} for a record never updated: what the stale guard compares. */
    public static Date version(Document doc) {
        Object updated = doc.get(UPDATED_AT);
        return updated instanceof Date d ? d : doc.get(CREATED_AT) instanceof Date c ? c : null;
    }

    private static Number idFromKey(String key) {
        if (key == null || key.isBlank()) {
            throw new InvalidRecordException(RejectionReason.TOMBSTONE_WITHOUT_KEY, "a null value (tombstone) needs the record id as its key");
        }
        try {
            long id = Long.parseLong(key.trim());
            if (id < 1) {
                throw new InvalidRecordException(RejectionReason.INVALID_ID, "tombstone key '" + key + "' is not a positive id");
            }
            return narrow(id);
        } catch (NumberFormatException e) {
            throw new InvalidRecordException(RejectionReason.INVALID_ID, "tombstone key '" + abbreviate(key) + "' is not an integer id");
        }
    }

    private static Number requiredId(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidRecordException(token == JsonToken.VALUE_NULL ? RejectionReason.MISSING_ID : RejectionReason.INVALID_ID,
                    "'id' must be an integer, got " + describe(token));
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new InvalidRecordException(RejectionReason.INVALID_ID, "'id' " + abbreviate(p.getText()) + " does not fit in 64 bits");
        }
        long id = p.getLongValue();
        if (id < 1) {
            throw new InvalidRecordException(RejectionReason.INVALID_ID, "'id' must be >= 1, got " + id);
        }
        return narrow(id);
    }

    private static Number integerOrNull(JsonParser p, JsonToken token, String field) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw wrongType(field, "a 64-bit integer", token);
        }
        return narrow(p.getLongValue());
    }

    private static Number narrow(long value) {
        // not a conditional expression: it would promote the Integer branch to Long
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return Integer.valueOf((int) value);
        }
        return Long.valueOf(value);
    }

    /**
     * The image's hex digits decoded straight from the message bytes, or null for anything unusual (an escape, a
     * bad digit, an odd length), which then takes Jackson's text and its precise error.
     */
    private static Hex.Quoted hexFromBytes(JsonParser p, byte[] json, int start, int end) {
        long quote = start + p.currentTokenLocation().getByteOffset();
        if (quote < start || quote >= end || json[(int) quote] != '"') {
            return null;
        }
        return Hex.decodeQuoted(json, (int) quote + 1, end);
    }

    /**
     * Where parsing resumes once the image is decoded: a new parser over the rest of the message (the fields after
     * the image, as an object of their own), so that Jackson never scans the tens of KB of digits again to skip
     * them. Only a plain continuation ({@code , "field"} or the closing brace) is resumed; anything else returns
     * null and the parser that was reading goes on, and reports it.
     */
    private static byte[] resumeAfterImage(byte[] json, int from, int end) {
        int i = skipWhitespace(json, from, end);
        int next = i < end && json[i] == ',' ? skipWhitespace(json, i + 1, end) : -1;
        // "{" and then the closing brace, or the fields after the comma
        int start;
        if (i < end && json[i] == '}') {
            start = i;
        } else if (next >= 0 && next < end && json[next] == '"') {
            start = i + 1;
        } else {
            return null;
        }
        byte[] rest = new byte[1 + end - start];
        rest[0] = '{';
        System.arraycopy(json, start, rest, 1, end - start);
        return rest;
    }

    private static int skipWhitespace(byte[] json, int i, int end) {
        while (i < end && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static void closeQuietly(JsonParser p) {
        if (p != null) {
            try {
                p.close();
            } catch (IOException ignored) {
                // a parser over a byte array holds nothing to release
            }
        }
    }

    private static byte[] hexOrNull(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw wrongType(DATA, "a hex string", token);
        }
        return Hex.decode(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    private static List<Double> coordinatesOrNull(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.START_ARRAY) {
            throw wrongType(GPS, "an array of two numbers", token);
        }
        List<Double> coordinates = new ArrayList<>(2);
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (!t.isNumeric()) {
                throw wrongType(GPS, "an array of two numbers", t);
            }
            coordinates.add(p.getDoubleValue());
        }
        if (coordinates.size() != 2) {
            throw new InvalidRecordException(RejectionReason.WRONG_TYPE, "'gps_coordinates' must hold two numbers, got " + coordinates.size());
        }
        return coordinates;
    }

    private Date dateOrNull(JsonParser p, JsonToken token, String field) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw wrongType(field, "an ISO-8601 date-time string", token);
        }
        String text = p.getText();
        try {
            if (hasOffset(text)) {
                return Date.from(OffsetDateTime.parse(text).toInstant());
            }
            return Date.from(localDateTime(text).atZone(sourceZone).toInstant());
        } catch (DateTimeException e) {
            throw new InvalidRecordException(RejectionReason.INVALID_DATE, "'" + field + "' is not an ISO-8601 date-time: '" + abbreviate(text) + "'");
        }
    }

    /**
     * What LIMS sends ({@code 2024-03-01T06:00:01.234567}) read field by field, two per message: the ISO parser
     * costs several times more. Anything else goes to the ISO parser; both reject impossible dates.
     */
    static LocalDateTime localDateTime(String t) {
        int n = t.length();
        if (n < 19 || n == 20 || n > 29 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':' || (n > 19 && t.charAt(19) != '.')) {
            return LocalDateTime.parse(t);
        }
        int nanos = 0;
        for (int i = 20; i < 29; i++) {
            int d = i < n ? digit(t, i) : 0;
            if (d < 0) {
                return LocalDateTime.parse(t);
            }
            nanos = nanos * 10 + d;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return LocalDateTime.parse(t);
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
    }

    private static int digits(String t, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = digit(t, i);
            if (d < 0) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int digit(String t, int i) {
        char c = t.charAt(i);
        return c >= '0' && c <= '9' ? c - '0' : -1;
    }

    private static boolean hasOffset(String text) {
        int t = text.indexOf('T');
        return t > 0 && (text.endsWith("Z") || text.indexOf('+', t) > 0 || text.indexOf('-', t) > 0);
    }

    private static Boolean booleanOrNull(JsonToken token, String field) {
        return switch (token) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw wrongType(field, "a boolean", token);
        };
    }

    private static String stringOrNull(JsonParser p, JsonToken token, String field) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw wrongType(field, "a string", token);
        }
        return p.getText();
    }

    private static Double doubleOrNull(JsonParser p, JsonToken token, String field) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!token.isNumeric()) {
            throw wrongType(field, "a number", token);
        }
        return p.getDoubleValue();
    }

    private static String operation(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        String op = token == JsonToken.VALUE_STRING ? p.getText().trim().toLowerCase(java.util.Locale.ROOT) : null;
        if (op == null || !OPERATIONS.contains(op)) {
            throw new InvalidRecordException(RejectionReason.INVALID_OPERATION,
                    "'operation' must be one of create, update, delete, got " + (op == null ? describe(token) : "'" + abbreviate(op) + "'"));
        }
        return op;
    }

    /** Unknown fields survive as their natural BSON counterpart. */
    private static Object anyValue(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_NULL:
                return null;
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    BigInteger big = p.getBigIntegerValue();
                    return new org.bson.types.Decimal128(new java.math.BigDecimal(big));
                }
                return narrow(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(anyValue(p, t));
                }
                return list;
            }
            case START_OBJECT: {
                Document nested = new Document();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    nested.put(name, anyValue(p, p.nextToken()));
                }
                return nested;
            }
            default:
                throw new InvalidRecordException(RejectionReason.NOT_JSON, "unexpected token " + token);
        }
    }

    private static InvalidRecordException wrongType(String field, String expected, JsonToken got) {
        return new InvalidRecordException(RejectionReason.WRONG_TYPE, "'" + field + "' must be " + expected + ", got " + describe(got));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> String.valueOf(token);
        };
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
        int nl = m.indexOf('\n');
        return abbreviate(nl > 0 ? m.substring(0, nl) : m);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
