package org.lims.consumer.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Projections;
import org.bson.Document;
import org.bson.types.Binary;
import org.lims.consumer.testinfra.AppDefaults;

/**
 * Compares the consumer database with the state the sent sequence must leave. A key is
 * <ul>
 * <li><b>correct</b> when it holds exactly the expected last version (or is absent after a tombstone);</li>
 * <li><b>lost</b> when an effect is missing: the record is absent, holds an older version of itself,
 *     or survives its tombstone;</li>
 * <li><b>wrong</b> when the database holds what no event of that key (in that order) would leave: a
 *     document nobody sent (a poison's id), a version that was never the key's, different data, or a
 *     duplicate.</li>
 * </ul>
 */
final class StateCheck {

    /** The app runs on its defaults: their database and collections. */
    static final String DATABASE = AppDefaults.property("lims.mongodb.database");

    /** What a key must hold: {@code data} null = not compared. */
    record Expected(String disease, boolean deleted, byte[] data) {
    }

    record Outcome(long keys, long correct, long lost, long wrong, List<String> samples) {
    }

    private StateCheck() {
    }

    static Expected of(EventStream.Event e) {
        return new Expected("v" + e.seq(), e.kind() == EventStream.Kind.SOFT_DELETE, EventStream.image(e.seq()));
    }

    static Outcome compare(String mongoUri, EventStream stream, Map<String, Expected> expected) {
        long lost = 0;
        long wrong = 0;
        long correct = 0;
        List<String> samples = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (MongoClient client = MongoClients.create(mongoUri)) {
            for (String plant : EventStream.PLANTS) {
                var collection = client.getDatabase(DATABASE).getCollection(AppDefaults.collection(plant));
                for (Document d : collection.find().projection(Projections.include("id", "disease", "is_deleted", "data"))) {
                    String key = plant + "/" + ((Number) d.get("id")).longValue();
                    Expected exp = expected.get(key);
                    String problem = null;
                    boolean isLost = false;
                    if (!seen.add(key)) {
                        problem = "duplicate document";
                    } else if (exp == null) {
                        if (stream.history(key).isEmpty()) {
                            problem = "a document nobody sent: " + d.get("disease");
                        } else {
                            isLost = true;
                            problem = "survived its tombstone at " + d.get("disease");
                        }
                    } else {
                        String disease = d.getString("disease");
                        byte[] data = d.get("data") instanceof Binary b ? b.getData() : null;
                        if (Objects.equals(disease, exp.disease())) {
                            if (!Objects.equals(d.get("is_deleted"), exp.deleted())) {
                                problem = "is_deleted " + d.get("is_deleted") + " at " + disease;
                            } else if (exp.data() != null && !Arrays.equals(data, exp.data())) {
                                problem = "data differs at " + disease;
                            } else {
                                correct++;
                            }
                        } else if (olderVersionOfKey(stream, key, disease, exp.disease())) {
                            isLost = true;
                            problem = "holds " + disease + ", expected " + exp.disease();
                        } else {
                            problem = "holds " + disease + ", which is no earlier version of the key (expected " + exp.disease() + ")";
                        }
                    }
                    if (problem != null) {
                        if (isLost) {
                            lost++;
                        } else {
                            wrong++;
                        }
                        if (samples.size() < 10) {
                            samples.add((isLost ? "lost " : "wrong ") + key + ": " + problem);
                        }
                    }
                }
            }
        }
        for (String key : expected.keySet()) {
            if (!seen.contains(key)) {
                lost++;
                if (samples.size() < 10) {
                    samples.add("lost " + key + ": absent, expected " + expected.get(key).disease());
                }
            }
        }
        long deletedKeys = 0;
        long deletedCorrect = 0;
        for (EventStream.Event e : stream.events()) {
            // keys whose last event is a tombstone: correct when absent
            List<EventStream.Event> history = stream.history(e.stateKey());
            if (history.get(history.size() - 1) == e && e.kind() == EventStream.Kind.HARD_DELETE) {
                deletedKeys++;
                if (!seen.contains(e.stateKey())) {
                    deletedCorrect++;
                }
            }
        }
        return new Outcome(expected.size() + deletedKeys, correct + deletedCorrect, lost, wrong, samples);
    }

    private static boolean olderVersionOfKey(EventStream stream, String key, String stored, String expected) {
        if (stored == null || !stored.startsWith("v") || expected == null || !expected.startsWith("v")) {
            return false;
        }
        int seq;
        try {
            seq = Integer.parseInt(stored.substring(1));
        } catch (NumberFormatException e) {
            return false;
        }
        int expectedSeq = Integer.parseInt(expected.substring(1));
        return seq < expectedSeq && stream.history(key).stream().anyMatch(e -> e.seq() == seq && e.value() != null);
    }
}
