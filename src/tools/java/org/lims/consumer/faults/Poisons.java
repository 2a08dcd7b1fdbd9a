package org.lims.consumer.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.lims.consumer.testinfra.LimsEvents;

/**
 * Malformed messages of many kinds, each with the dead-letter reason the app must give it. Their
 * ids (5,000,000 and up) are used by no valid event, so a poison wrongly applied shows up in the
 * database as a document nobody sent.
 */
final class Poisons {

    static final long FIRST_ID = 5_000_000L;
    static final int LARGE_BYTES = 5 * 1024 * 1024;

    /** topic null = the plant topic given by {@code plant}. */
    record Poison(String topic, String key, byte[] value, Map<String, String> headers, String kind, String reason) {
    }

    private static final String[] KINDS = {
        "not-json", "truncated", "not-an-object", "wrong-type-boolean", "wrong-type-gps", "string-id", "missing-id",
        "negative-id", "huge-id", "non-hex-data", "odd-length-data", "invalid-date", "wrong-encoding",
        "tombstone-without-key", "invalid-operation", "empty-object",
    };

    private Poisons() {
    }

    /** {@code count} poisons cycling through the kinds; one in every 200 (at least one when count >= 20) is a 5 MB value. */
    static List<Poison> make(int count) {
        List<Poison> poisons = new ArrayList<>();
        int large = count >= 20 ? Math.max(1, count / 200) : 0;
        int largeEvery = large == 0 ? Integer.MAX_VALUE : count / large;
        for (int i = 0; i < count; i++) {
            String plant = EventStream.PLANTS.get(i % EventStream.PLANTS.size());
            if (large > 0 && i % largeEvery == largeEvery - 1) {
                poisons.add(large(i, plant));
            } else {
                poisons.add(of(KINDS[i % KINDS.length], i, plant));
            }
        }
        return poisons;
    }

    static List<String> kinds() {
        List<String> kinds = new ArrayList<>(Arrays.asList(KINDS));
        kinds.add("5-mb-value");
        return kinds;
    }

    private static String valid(long id) {
        Map<String, Object> r = LimsEvents.record(id, LimsEvents.image(id, 64), EventStream.T0, null);
        return new String(LimsEvents.json(r), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Poison of(String kind, int i, String plant) {
        long id = FIRST_ID + i;
        String v = valid(id);
        String key = "poison-" + i;
        String ids = "\"id\":" + id;
        return switch (kind) {
            case "not-json" -> new Poison(plant, key, utf8("not json at all #" + i), Map.of(), kind, "not-json");
            case "truncated" -> new Poison(plant, key, utf8(v.substring(0, v.length() / 2)), Map.of(), kind, "not-json");
            case "not-an-object" -> new Poison(plant, key, utf8("[" + id + ",2,3]"), Map.of(), kind, "not-an-object");
            case "wrong-type-boolean" -> new Poison(plant, key, utf8(v.replace("\"is_active\":false", "\"is_active\":\"no\"")), Map.of(), kind, "wrong-type");
            case "wrong-type-gps" -> new Poison(plant, key, utf8(v.replace("[48.476563,16.585654]", "[48.4]")), Map.of(), kind, "wrong-type");
            case "string-id" -> new Poison(plant, key, utf8(v.replace(ids, "\"id\":\"" + id + "x\"")), Map.of(), kind, "invalid-id");
            case "missing-id" -> new Poison(plant, key, utf8(v.replace(ids + ",", "")), Map.of(), kind, "missing-id");
            case "negative-id" -> new Poison(plant, key, utf8(v.replace(ids, "\"id\":-" + id)), Map.of(), kind, "invalid-id");
            case "huge-id" -> new Poison(plant, key, utf8(v.replace(ids, "\"id\":123456789012345678901234567890" + i)), Map.of(), kind, "invalid-id");
            case "non-hex-data" -> new Poison(plant, key, utf8(v.replace("\"data\":\"ffd8ff", "\"data\":\"zzd8ff")), Map.of(), kind, "invalid-hex");
            case "odd-length-data" -> new Poison(plant, key, utf8(v.replace("\"data\":\"ffd8ff", "\"data\":\"ffd8f")), Map.of(), kind, "invalid-hex");
            case "invalid-date" -> new Poison(plant, key, utf8(v.replace("\"created_at\":\"", "\"created_at\":\"yesterday")), Map.of(), kind, "invalid-date");
            case "wrong-encoding" -> new Poison(plant, key,
                    v.replace("\"camera_id\":1", "\"camera_id\":1,\"note\":\"caf\u00e9 \u00fcber\"").getBytes(StandardCharsets.ISO_8859_1), Map.of(), kind, "invalid-encoding");
            case "tombstone-without-key" -> new Poison(plant, null, null, Map.of(), kind, "tombstone-without-key");
            case "invalid-operation" -> new Poison(plant, key, utf8(v), Map.of("operation", "explode"), kind, "invalid-operation");
            case "empty-object" -> new Poison(plant, key, utf8("{}"), Map.of(), kind, "missing-id");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** A 5 MB value: a record whose data is 5 MB of characters that are not hex. */
    private static Poison large(int i, String plant) {
        long id = FIRST_ID + i;
        String v = valid(id);
        int start = v.indexOf("\"data\":\"") + 8;
        int end = v.indexOf('"', start);
        StringBuilder data = new StringBuilder(LARGE_BYTES);
        for (int k = 0; k < LARGE_BYTES; k++) {
            data.append("0123456789abcdefg".charAt(k % 17));
        }
        byte[] value = utf8(v.substring(0, start) + data + v.substring(end));
        return new Poison(plant, "poison-" + i, value, Map.of(), "5-mb-value", "invalid-hex");
    }
}
