package org.lims.consumer.faults;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.lims.consumer.codec.Hex;
import org.lims.consumer.testinfra.AppDefaults;
import org.lims.consumer.testinfra.LimsEvents;

/**
 * A known, seeded sequence of Image API events over the plant topics (creates, updates, soft
 * deletes, tombstones) and the final state it must leave: per key the last event, a tombstone
 * meaning absent. Every event carries {@code disease = "v<seq>"}, so a stored document names the
 * event it came from, and its own {@code data} (an image derived from the sequence number).
 * Versions grow with the sequence (one second per event), as they do at the source.
 */
final class EventStream {

    static final LocalDateTime T0 = LocalDateTime.of(2024, 3, 1, 0, 0);
    /** The app runs on its defaults: their plants. */
    static final List<String> PLANTS = AppDefaults.plants();
    static final int IMAGE_BYTES = 200;

    enum Kind { CREATE, UPDATE, SOFT_DELETE, HARD_DELETE }

    /** One event; {@code value} is null for a tombstone. */
    record Event(int seq, String plant, long id, Kind kind, byte[] value) {
        String key() {
            return String.valueOf(id);
        }

        String stateKey() {
            return plant + "/" + id;
        }
    }

    private final List<Event> events = new ArrayList<>();
    /** every event of a key, in order: what any read of that key may legitimately return */
    private final Map<String, List<Event>> byKey = new HashMap<>();

    EventStream(int count, long seed) {
        Random random = new Random(seed);
        Map<String, Long> nextId = new HashMap<>();
        Map<String, List<Long>> live = new HashMap<>();
        Map<String, LocalDateTime> created = new HashMap<>();
        for (String plant : PLANTS) {
            nextId.put(plant, 1L);
            live.put(plant, new ArrayList<>());
        }
        for (int seq = 1; seq <= count; seq++) {
            String plant = PLANTS.get(random.nextInt(PLANTS.size()));
            List<Long> ids = live.get(plant);
            double p = random.nextDouble();
            Kind kind = ids.isEmpty() || p < 0.35 ? Kind.CREATE : p < 0.80 ? Kind.UPDATE : p < 0.94 ? Kind.SOFT_DELETE : Kind.HARD_DELETE;
            long id;
            if (kind == Kind.CREATE) {
                id = nextId.merge(plant, 1L, Long::sum) - 1;
                ids.add(id);
            } else {
                int index = random.nextInt(ids.size());
                id = ids.get(index);
                if (kind == Kind.HARD_DELETE) {
                    ids.set(index, ids.get(ids.size() - 1));
                    ids.remove(ids.size() - 1);
                }
            }
            LocalDateTime now = T0.plusSeconds(seq);
            String stateKey = plant + "/" + id;
            byte[] value = null;
            if (kind != Kind.HARD_DELETE) {
                LocalDateTime createdAt = created.computeIfAbsent(stateKey, k -> now);
                Map<String, Object> r = LimsEvents.record(id, image(seq), createdAt, kind == Kind.CREATE ? null : now);
                r.put("is_active", random.nextBoolean());
                r.put("is_deleted", kind == Kind.SOFT_DELETE);
                r.put("disease", "v" + seq);
                r.put("percentage", kind == Kind.CREATE ? null : random.nextInt(1000) / 1000.0);
                value = LimsEvents.json(r);
            }
            Event e = new Event(seq, plant, id, kind, value);
            events.add(e);
            byKey.computeIfAbsent(stateKey, k -> new ArrayList<>()).add(e);
        }
    }

    static byte[] image(int seq) {
        return LimsEvents.image(seq, IMAGE_BYTES);
    }

    List<Event> events() {
        return events;
    }

    List<Event> history(String stateKey) {
        return byKey.getOrDefault(stateKey, List.of());
    }

    /** The last event of every key that is present at the end (a tombstone last: absent). */
    Map<String, Event> expectedPresent() {
        Map<String, Event> expected = new LinkedHashMap<>();
        for (Map.Entry<String, List<Event>> e : byKey.entrySet()) {
            Event last = e.getValue().get(e.getValue().size() - 1);
            if (last.kind() != Kind.HARD_DELETE) {
                expected.put(e.getKey(), last);
            }
        }
        return expected;
    }

    int keys() {
        return byKey.size();
    }

    /** An earlier event of the key than {@code e} that carried a document (for re-publishing it late), or null. */
    Event earlierVersion(Event e, Random random) {
        List<Event> history = byKey.get(e.stateKey());
        int index = history.indexOf(e);
        if (index <= 0) {
            return null;
        }
        Event older = history.get(random.nextInt(index));
        return older.value() == null ? null : older;
    }

    /** Whether {@code data} in the store is the image the event carried. */
    static boolean sameImage(Event e, byte[] stored) {
        return Arrays.equals(image(e.seq()), stored);
    }

    static String hex(int seq) {
        return Hex.encode(image(seq));
    }
}
