package org.lims.consumer.bench;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.lims.consumer.codec.Hex;
import org.lims.consumer.testinfra.AppDefaults;

/**
 * LIMS-like traffic for the benchmark, in the contract's JSON (CONTRACT.md) and the expected final
 * state of the consumer database.
 *
 * <p>70 % creates (the next id of the plant), 29 % updates of an existing id, 1 % soft deletes;
 * plants chosen uniformly. A single synthetic clock advances at least 1 ms per message, so every
 * later event of an id has a later millisecond (BSON dates keep milliseconds only; an equal
 * version would be a no-op for the stale guard). {@code data} is ~16 KB (15-17 KB) of random bytes
 * starting like a JPEG, as lowercase hex, taken from a pool of distinct images by id.
 */
final class Workload {

    /** The app runs on its defaults: their plants (topics) and collections. */
    static final List<String> PLANTS = AppDefaults.plants();
    static final DateTimeFormatter LIMS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    static final LocalDateTime T0 = LocalDateTime.of(2024, 3, 1, 6, 0, 0);
    private static final String[] DISEASES = {"Early Blight", "Late Blight", "Healthy", "Bacterial Spot"};
    private static final int POOL = 64;

    /** One Kafka message. */
    record Message(String topic, String key, byte[] value) {
    }

    /** What the consumer database must end up holding for one (plant, id). */
    record Expected(long versionMillis, boolean deleted, String disease) {
    }

    /** The mutable state of one record as the producer side knows it. */
    private static final class Rec {
        final int id;
        final int image;
        final long createdMicros;
        long updatedMicros = -1;
        int cameraId;
        double lat;
        double lon;
        boolean active;
        boolean deleted;
        String disease;
        Double percentage;

        Rec(int id, int image, long createdMicros) {
            this.id = id;
            this.image = image;
            this.createdMicros = createdMicros;
        }

        long versionMillis() {
            return Math.floorDiv(updatedMicros >= 0 ? updatedMicros : createdMicros, 1000);
        }
    }

    private final SplittableRandom random;
    private final String[] imagesHex = new String[POOL];
    private final Map<String, List<Rec>> records = new LinkedHashMap<>();
    private long clockMicros;
    int creates;
    int updates;
    int softDeletes;
    long valueBytes;

    Workload(long seed, int imageBytes) {
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < POOL; i++) {
            int size = imageBytes - 1024 + random.nextInt(2049);
            byte[] image = new byte[size];
            random.nextBytes(image);
            image[0] = (byte) 0xff;
            image[1] = (byte) 0xd8;
            image[2] = (byte) 0xff;
            image[3] = (byte) 0xe0;
            imagesHex[i] = Hex.encode(image);
        }
        for (String plant : PLANTS) {
            records.put(plant, new ArrayList<>());
        }
    }

    Message next() {
        clockMicros += 1000 + random.nextInt(1000);
        String plant = PLANTS.get(random.nextInt(PLANTS.size()));
        List<Rec> recs = records.get(plant);
        int roll = random.nextInt(100);
        Rec rec;
        if (recs.isEmpty() || roll < 70) {
            int id = recs.size() + 1;
            rec = new Rec(id, Math.floorMod(id * 31 + plant.hashCode(), POOL), clockMicros);
            rec.cameraId = 1 + random.nextInt(3);
            rec.lat = 48 + random.nextDouble();
            rec.lon = 16 + random.nextDouble();
            recs.add(rec);
            creates++;
        } else {
            rec = recs.get(random.nextInt(recs.size()));
            rec.updatedMicros = clockMicros;
            if (roll == 99) {
                rec.deleted = true;
                softDeletes++;
            } else {
                switch (random.nextInt(3)) {
                    case 0 -> rec.active = !rec.active;
                    case 1 -> {
                        rec.disease = DISEASES[random.nextInt(DISEASES.length)];
                        rec.percentage = Math.round(random.nextDouble() * 1000) / 1000.0;
                    }
                    default -> {
                        rec.cameraId = 1 + random.nextInt(3);
                        rec.lat = 48 + random.nextDouble();
                        rec.lon = 16 + random.nextDouble();
                    }
                }
                updates++;
            }
        }
        byte[] value = json(rec).getBytes(StandardCharsets.UTF_8);
        valueBytes += value.length;
        return new Message(plant, String.valueOf(rec.id), value);
    }

    private String json(Rec r) {
        String hex = imagesHex[r.image];
        StringBuilder sb = new StringBuilder(hex.length() + 300);
        sb.append("{\"id\":").append(r.id)
                .append(",\"camera_id\":").append(r.cameraId)
                .append(",\"data\":\"").append(hex).append('"')
                .append(",\"gps_coordinates\":[").append(r.lat).append(',').append(r.lon).append(']')
                .append(",\"created_at\":\"").append(time(r.createdMicros)).append('"')
                .append(",\"updated_at\":").append(r.updatedMicros < 0 ? "null" : "\"" + time(r.updatedMicros) + "\"")
                .append(",\"is_active\":").append(r.active)
                .append(",\"is_deleted\":").append(r.deleted)
                .append(",\"disease\":").append(r.disease == null ? "null" : "\"" + r.disease + "\"")
                .append(",\"percentage\":").append(r.percentage == null ? "null" : r.percentage.toString())
                .append('}');
        return sb.toString();
    }

    private static String time(long micros) {
        return T0.plusNanos(micros * 1000).format(LIMS_TIME);
    }

    /** Epoch millis (UTC, the app's default source zone) of a micro offset from {@link #T0}. */
    static long epochMillis(long micros) {
        return T0.toInstant(ZoneOffset.UTC).toEpochMilli() + Math.floorDiv(micros, 1000);
    }

    /** Per collection: id -> expected version (epoch millis), is_deleted and disease. */
    Map<String, Map<Integer, Expected>> expected() {
        Map<String, Map<Integer, Expected>> result = new LinkedHashMap<>();
        for (var e : records.entrySet()) {
            Map<Integer, Expected> byId = new LinkedHashMap<>();
            for (Rec r : e.getValue()) {
                byId.put(r.id, new Expected(T0.toInstant(ZoneOffset.UTC).toEpochMilli() + r.versionMillis(), r.deleted, r.disease));
            }
            result.put(AppDefaults.collection(e.getKey()), byId);
        }
        return result;
    }

    /** A decoded document like the app stores, for the raw Mongo-wire ceiling. */
    org.bson.Document decodedDocument(int id, int image) {
        long micros = clockMicros + id;
        return new org.bson.Document("id", id)
                .append("camera_id", 1 + (id % 3))
                .append("data", new org.bson.types.Binary(Hex.decode(imagesHex[Math.floorMod(image, POOL)])))
                .append("gps_coordinates", List.of(48 + (id % 1000) / 1000.0, 16 + (id % 997) / 997.0))
                .append("created_at", new java.util.Date(epochMillis(micros)))
                .append("updated_at", null)
                .append("is_active", id % 2 == 0)
                .append("is_deleted", false)
                .append("disease", null)
                .append("percentage", null);
    }

    /** The JSON value of a create for {@code id}: for the in-process codec measurement. */
    byte[] sampleValue(int id) {
        Rec r = new Rec(id, Math.floorMod(id, POOL), clockMicros + id * 1000L);
        r.cameraId = 1;
        r.lat = 48.476563;
        r.lon = 16.585654;
        return json(r).getBytes(StandardCharsets.UTF_8);
    }
}
