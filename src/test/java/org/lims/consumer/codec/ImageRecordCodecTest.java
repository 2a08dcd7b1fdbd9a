package org.lims.consumer.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRecordCodecTest {

    private final ImageRecordCodec codec = new ImageRecordCodec();

    /**
     * As the sync consumer hands values over: a view of a larger buffer (the fetched bytes), here with bytes on
     * both sides that would make the record invalid, or another record, if the codec read outside the view.
     */
    private ImageRecord decode(String json) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        byte[] before = "\"ff\",\"id\":9}{\"data\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] after = "00\",\"id\":8}\"".getBytes(StandardCharsets.UTF_8);
        ByteBuffer fetched = ByteBuffer.allocate(before.length + value.length + after.length).put(before).put(value).put(after);
        ByteBuffer view = fetched.position(before.length).slice().limit(value.length);
        ImageRecord record = codec.decode(view, null);
        assertEquals(0, view.position(), "the view is read where it lies");
        return record;
    }

    @Test
    void aWholeArrayAndAViewOfTheSameBytesDecodeAlike() {
        String json = "{\"id\":7,\"data\":\"ffd8ff\",\"disease\":\"Healthy\",\"updated_at\":\"2023-10-09T18:43:37.500692\"}";
        assertEquals(codec.decode(json.getBytes(StandardCharsets.UTF_8), null).document().toJson(), decode(json).document().toJson());
    }

    @Test
    void decodesTheContractRecordWithNativeTypes() {
        ImageRecord r = decode("{\"id\":2158,\"camera_id\":1,\"data\":\"ffd8ffe0\",\"gps_coordinates\":[48.476563,16.585654],"
                + "\"created_at\":\"2023-10-09T18:43:37.500688\",\"updated_at\":null,\"is_active\":false,"
                + "\"is_deleted\":false,\"disease\":null,\"percentage\":null}");
        Document d = r.document();
        assertEquals(2158, d.get("id"));
        assertInstanceOf(Integer.class, d.get("camera_id"));
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}, (byte[]) d.get("data"));
        assertEquals(List.of(48.476563, 16.585654), d.get("gps_coordinates"));
        assertEquals(Date.from(Instant.parse("2023-10-09T18:43:37.500Z")), d.get("created_at"));
        assertTrue(d.containsKey("updated_at") && d.get("updated_at") == null);
        assertEquals(d.get("created_at"), r.version(), "a never-updated record is versioned by created_at");
        assertNull(r.explicitOperation());
    }

    @Test
    void sourceZoneIsConfigurableAndOffsetsAreHonoured() {
        ImageRecordCodec vienna = new ImageRecordCodec(ZoneId.of("Europe/Vienna"), 1_000_000);
        Document d = vienna.decode("{\"id\":1,\"created_at\":\"2023-10-09T18:00:00\",\"updated_at\":\"2023-10-09T18:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8), null).document();
        assertEquals(Date.from(Instant.parse("2023-10-09T16:00:00Z")), d.get("created_at"));
        assertEquals(Date.from(Instant.parse("2023-10-09T18:00:00Z")), d.get("updated_at"));
    }

    @Test
    void idWidthFollowsTheValue() {
        assertInstanceOf(Integer.class, decode("{\"id\":2147483647}").id());
        assertInstanceOf(Long.class, decode("{\"id\":2147483648}").id());
    }

    @Test
    void unknownFieldsSurviveAndOperationIsNotStored() {
        ImageRecord r = decode("{\"id\":1,\"operation\":\"Update\",\"x\":{\"a\":[1,2.5,\"s\",null,true]},\"big\":123456789012345678901234567890}");
        assertEquals("update", r.explicitOperation());
        assertTrue(!r.document().containsKey("operation"));
        assertEquals(new Document("a", java.util.Arrays.asList(1, 2.5, "s", null, true)), r.document().get("x"));
        assertInstanceOf(Decimal128.class, r.document().get("big"));
    }

    @Test
    void tombstoneTakesItsIdFromTheKey() {
        ImageRecord r = codec.decode((byte[]) null, "42");
        assertTrue(r.isTombstone());
        assertEquals(42, r.id());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "not json                                   | not-json",
        "{\"id\":1                                  | not-json",
        "[1]                                        | not-an-object",
        "{\"camera_id\":1}                          | missing-id",
        "{\"id\":null}                              | missing-id",
        "{\"id\":\"7\"}                             | invalid-id",
        "{\"id\":0}                                 | invalid-id",
        "{\"id\":1.5}                               | invalid-id",
        "{\"id\":99999999999999999999}              | invalid-id",
        "{\"id\":1,\"data\":\"abc\"}                | invalid-hex",
        "{\"id\":1,\"data\":\"zz\"}                 | invalid-hex",
        "{\"id\":1,\"data\":12}                     | wrong-type",
        "{\"id\":1,\"camera_id\":\"a\"}             | wrong-type",
        "{\"id\":1,\"gps_coordinates\":[1]}         | wrong-type",
        "{\"id\":1,\"gps_coordinates\":[1,\"a\"]}   | wrong-type",
        "{\"id\":1,\"is_active\":1}                 | wrong-type",
        "{\"id\":1,\"percentage\":\"high\"}         | wrong-type",
        "{\"id\":1,\"created_at\":\"yesterday\"}    | invalid-date",
        "{\"id\":1,\"created_at\":\"2023-02-29T10:00:00.000000\"} | invalid-date",
        "{\"id\":1,\"created_at\":\"2023-04-01T24:00:00.000000\"} | invalid-date",
        "{\"id\":1,\"created_at\":\"2023-04-01T10:00:0x.000000\"} | invalid-date",
        "{\"id\":1,\"operation\":\"drop\"}          | invalid-operation",
        "{\"id\":1} {\"id\":2}                      | not-json",
        "{\"id\":1,\"data\":\"ff\",}                | not-json",
        "{\"id\":1,\"data\":\"ff\" x}               | not-json",
        "{\"id\":1,\"data\":\"ff\"} x               | not-json",
        "{\"data\":\"ff\",\"camera_id\":\"a\",\"id\":1} | wrong-type",
        "{\"data\":\"ff\", \"x\":1}                 | missing-id"})
    void rejectsWithAPreciseReason(String json, String reason) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> decode(json));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-10-09T18:43:37.500688", "2023-10-09T18:43:37", "2023-10-09T18:43:37.5", "2024-02-29T23:59:59.999999999",
        "0001-01-01T00:00:00.000001", "2023-10-09T18:43", "2023-10-09t18:43:37.1", "+12023-10-09T18:43:37"})
    void theFastLimsTimeParserAgreesWithTheIsoParser(String text) {
        assertEquals(java.time.LocalDateTime.parse(text), ImageRecordCodec.localDateTime(text), text);
    }

    /** The fields after the image are read by a parser of their own (Jackson does not scan the digits again). */
    @Test
    void theFieldsAfterTheImageAreDecodedWhereverItStands() {
        Document first = decode("{\"data\" : \"ffd8\" ,\n \"id\":3,\"disease\":\"blight\",\"data_note\":{\"data\":\"x\"}}").document();
        assertArrayEquals(new byte[]{(byte) 0xff, (byte) 0xd8}, (byte[]) first.get("data"));
        assertEquals(3, first.get("id"));
        assertEquals("blight", first.get("disease"));
        assertEquals(new Document("data", "x"), first.get("data_note"));
        Document last = decode("{\"id\":4,\"data\":\"00ff\" }").document();
        assertArrayEquals(new byte[]{0, (byte) 0xff}, (byte[]) last.get("data"));
        Document empty = decode("{\"id\":5,\"data\":\"\",\"is_active\":true}").document();
        assertArrayEquals(new byte[0], (byte[]) empty.get("data"));
        assertEquals(Boolean.TRUE, empty.get("is_active"));
    }

    @Test
    void hexWithJsonEscapesDecodesAsItsText() {
        byte[] data = (byte[]) decode("{\"id\":1,\"data\":\"ff\\u0064\\u0038\"}").document().get("data");
        assertArrayEquals(new byte[]{(byte) 0xff, (byte) 0xd8}, data);
        InvalidRecordException bad = assertThrows(InvalidRecordException.class, () -> decode("{\"id\":1,\"data\":\"ffd8fg00\"}"));
        assertTrue(bad.getMessage().contains("position 5"), bad.getMessage());
    }

    @Test
    void invalidUtf8IsAnEncodingError() {
        byte[] latin1 = "{\"id\":1,\"disease\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("invalid-encoding", assertThrows(InvalidRecordException.class, () -> codec.decode(latin1, null)).reason());
    }

    @Test
    void tombstoneWithoutUsableKeyIsRejected() {
        assertEquals("tombstone-without-key", assertThrows(InvalidRecordException.class, () -> codec.decode((byte[]) null, null)).reason());
        assertEquals("invalid-id", assertThrows(InvalidRecordException.class, () -> codec.decode((byte[]) null, "abc")).reason());
    }

    /** The image decoder reads four pairs at a time: every length, and a non-digit at every place, against the plain decoder. */
    @Test
    void hexFromTheMessageBytesAgreesWithThePlainDecoderAtEveryLengthAndEveryBadPlace() {
        for (int digits = 0; digits <= 21; digits++) {
            String hex = "0123456789abcdefABCDEF0".repeat(2).substring(0, digits);
            for (int bad = -1; bad < digits; bad++) {
                String text = bad < 0 ? hex : hex.substring(0, bad) + "g" + hex.substring(bad + 1);
                byte[] json = ("x\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
                Hex.Quoted quoted = Hex.decodeQuoted(json, 2, json.length);
                if (bad < 0 && digits % 2 == 0) {
                    assertArrayEquals(Hex.decode(hex), quoted.bytes(), text);
                    assertEquals(2 + digits, quoted.closingQuote(), text);
                } else {
                    assertNull(quoted, text);
                }
            }
        }
    }

    @Test
    void hexRoundTrip() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        assertArrayEquals(bytes, Hex.decode(Hex.encode(bytes)));
        assertArrayEquals(bytes, Hex.decode(Hex.encode(bytes).toUpperCase()));
    }
}
