package org.lims.consumer.bench;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;

/**
 * Compares a consumer database with the final state the backlog must leave: every id exactly once,
 * at its last {@code updated_at} (or {@code created_at}), {@code is_deleted} and {@code disease}.
 * The same check for every system under test: lims-consumer stores the dates as BSON dates, the
 * MongoDB sink connector (JSON without schemas) as the strings the messages carry; both compare
 * at the millisecond, which the workload keeps distinct per version.
 */
final class FinalState {

    private static final Document PROJECTION = new Document("id", 1).append("updated_at", 1).append("created_at", 1)
            .append("is_deleted", 1).append("disease", 1).append("_id", 0);

    private final MongoDatabase db;
    private final Map<String, Map<Integer, Workload.Expected>> expected;
    private final long expectedDocs;

    /** What one look at the database found. {@code matching} is -1 when only the counts were read. */
    record State(long docs, long matching, long duplicates, boolean complete) {
        @Override
        public String toString() {
            return docs + " documents" + (matching < 0 ? "" : ", " + matching + " in their final state")
                    + (duplicates > 0 ? ", " + duplicates + " duplicate ids" : "");
        }
    }

    FinalState(MongoDatabase db, Map<String, Map<Integer, Workload.Expected>> expected) {
        this.db = db;
        this.expected = expected;
        this.expectedDocs = expected.values().stream().mapToLong(Map::size).sum();
    }

    long expectedDocs() {
        return expectedDocs;
    }

    /** Document count only (cheap: metadata): how far a consumer got. */
    long count() {
        long docs = 0;
        for (String collection : expected.keySet()) {
            docs += db.getCollection(collection).estimatedDocumentCount();
        }
        return docs;
    }

    /** The counts first; once they are complete, every document compared with its expected final state. */
    State check() {
        long docs = count();
        if (docs < expectedDocs) {
            return new State(docs, -1, 0, false);
        }
        docs = 0;
        long matching = 0;
        long duplicates = 0;
        for (var e : expected.entrySet()) {
            Map<Integer, Workload.Expected> want = e.getValue();
            Set<Integer> seen = new HashSet<>();
            for (Document d : db.getCollection(e.getKey()).find().projection(PROJECTION).batchSize(20_000)) {
                docs++;
                Integer id = d.get("id") instanceof Number n ? n.intValue() : null;
                if (id == null) {
                    continue;
                }
                if (!seen.add(id)) {
                    duplicates++;
                    continue;
                }
                Workload.Expected x = want.get(id);
                if (x != null && matches(d, x)) {
                    matching++;
                }
            }
        }
        return new State(docs, matching, duplicates, docs == expectedDocs && matching == expectedDocs && duplicates == 0);
    }

    private static boolean matches(Document d, Workload.Expected x) {
        Long version = millis(d.get("updated_at"));
        if (version == null) {
            version = millis(d.get("created_at"));
        }
        return version != null && version == x.versionMillis()
                && Boolean.valueOf(x.deleted()).equals(d.get("is_deleted"))
                && Objects.equals(x.disease(), d.get("disease"));
    }

    /** Epoch millis of a BSON date, or of a zoneless LIMS time string read as UTC (the app's default source zone). */
    private static Long millis(Object value) {
        if (value instanceof Date date) {
            return date.getTime();
        }
        if (value instanceof String text) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        return null;
    }
}
