package org.lims.consumer.sync;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.ErrorCategory;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * One collection's share of a batch, and the stale guard.
 *
 * <p>The guard runs in two places. Within the batch, records of the same id are folded as if
 * applied one after the other (newest version wins, a hard delete resets). Against the database,
 * the stored versions of the batch's ids are read in one query (the caller sends
 * {@link #versionQuery()} to MongoDB) and only records newer than what is stored become writes.
 * The writes then filter on {@code {id: X}} alone: a filter MongoDB (and the Mongo-wire server,
 * which ignores compound filters for index lookups) answers from the unique index on {@code id}.
 * An equal version is an idempotent no-op; an older one is skipped and counted.
 *
 * <p>A record whose id the version read found absent is inserted rather than upsert-replaced: the
 * Mongo-wire server applies an insert for about a quarter of an upsert's cost (no lookup first), and
 * a catch-up is mostly creates. Should another writer insert the id between the version read and
 * the bulk (a second replica during a rebalance), the unique id index refuses the insert: not
 * poison, a lost race, written again by {@link #lostInsertRetries} as a replace that applies only
 * over an older stored version.
 */
public final class CollectionWrites {

    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final Document VERSION_PROJECTION = new Document(ImageRecordCodec.ID, 1)
            .append(ImageRecordCodec.CREATED_AT, 1).append(ImageRecordCodec.UPDATED_AT, 1).append("_id", 0);

    private final String collection;
    private final Map<Long, WriteIntent> latest = new LinkedHashMap<>();
    private int staleInBatch;

    private final List<WriteModel<Document>> models = new ArrayList<>();
    private final List<WriteIntent> modelSources = new ArrayList<>();
    private int staleInDatabase;
    private int unchanged;
    private long writeStartedNanos;

    public CollectionWrites(String collection) {
        this.collection = collection;
    }

    public String collection() {
        return collection;
    }

    void add(WriteIntent next) {
        long id = next.id().longValue();
        WriteIntent current = latest.get(id);
        if (current == null) {
            latest.put(id, next);
            return;
        }
        WriteIntent winner = fold(current, next);
        if (winner == null) {
            staleInBatch++;
        } else {
            latest.put(id, winner);
        }
    }

    /** The later of two intents for one id, or null when {@code next} is older and must be skipped. */
    private static WriteIntent fold(WriteIntent current, WriteIntent next) {
        if (next.operation() == Operation.HARD_DELETE || current.operation() == Operation.HARD_DELETE) {
            return next;
        }
        if (next.document() == null && current.document() != null) {
            // a soft delete naming only the id flags whatever the batch had stored before it
            if (isOlder(next.version(), current.version())) {
                return null;
            }
            Document flagged = new Document(current.document());
            flagged.put(ImageRecordCodec.IS_DELETED, Boolean.TRUE);
            if (next.version() != null) {
                flagged.put(ImageRecordCodec.UPDATED_AT, next.version());
            }
            return new WriteIntent(next.collection(), next.id(), Operation.SOFT_DELETE, flagged,
                    ImageRecordCodec.version(flagged), next.source());
        }
        if (isOlder(next.version(), current.version())) {
            return null;
        }
        return next.version() != null && next.version().equals(current.version()) ? current : next;
    }

    private static boolean isOlder(Date candidate, Date reference) {
        return candidate != null && reference != null && candidate.before(reference);
    }

    public boolean isEmpty() {
        return latest.isEmpty();
    }

    public int size() {
        return latest.size();
    }

    /** {@code {id: {$in: [...]}}}: answered from the unique index. */
    public Document versionQuery() {
        return new Document(ImageRecordCodec.ID, new Document("$in", new ArrayList<>(latest.keySet())));
    }

    public Document versionProjection() {
        return VERSION_PROJECTION;
    }

    /** Compares each intent with the stored version and keeps the writes that change something. */
    public List<WriteModel<Document>> resolve(List<Document> stored) {
        Map<Long, Document> storedById = new HashMap<>();
        for (Document doc : stored) {
            if (doc.get(ImageRecordCodec.ID) instanceof Number n) {
                storedById.put(n.longValue(), doc);
            }
        }
        writeStartedNanos = System.nanoTime();
        models.clear();
        modelSources.clear();
        staleInDatabase = 0;
        unchanged = 0;
        for (WriteIntent intent : latest.values()) {
            Document current = storedById.get(intent.id().longValue());
            WriteModel<Document> model = decide(intent, current);
            if (model != null) {
                models.add(model);
                modelSources.add(intent);
            }
        }
        return models;
    }

    private WriteModel<Document> decide(WriteIntent intent, Document stored) {
        var byId = Filters.eq(ImageRecordCodec.ID, intent.id());
        if (intent.operation() == Operation.HARD_DELETE) {
            if (stored == null) {
                unchanged++;
                return null;
            }
            return new DeleteOneModel<>(byId);
        }
        if (stored != null) {
            Date storedVersion = ImageRecordCodec.version(stored);
            if (isOlder(intent.version(), storedVersion)) {
                staleInDatabase++;
                return null;
            }
            if (intent.version() != null && intent.version().equals(storedVersion)) {
                unchanged++;
                return null;
            }
        }
        if (intent.document() != null) {
            return stored == null ? new InsertOneModel<>(intent.document()) : new ReplaceOneModel<>(byId, intent.document(), UPSERT);
        }
        if (stored == null) {
            unchanged++;
            return null;
        }
        Document set = new Document(ImageRecordCodec.IS_DELETED, Boolean.TRUE);
        if (intent.version() != null) {
            set.put(ImageRecordCodec.UPDATED_AT, intent.version());
        }
        return new UpdateOneModel<>(byId, new Document("$set", set));
    }

    public List<WriteModel<Document>> models() {
        return models;
    }

    /** True when MongoDB refused the write at the error's index as an insert of an id that another writer inserted first. */
    public boolean isLostInsert(BulkWriteError error) {
        return models.get(error.getIndex()) instanceof InsertOneModel
                && ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }

    /**
     * The lost inserts among {@code errors}, as replaces guarded by the stale rule: each applies only when
     * the stored version (updated_at, else created_at) is older than the record's, so the newer of the two
     * writers' records stays whatever the order.
     */
    public List<WriteModel<Document>> lostInsertRetries(List<BulkWriteError> errors) {
        List<WriteModel<Document>> retries = new ArrayList<>();
        for (BulkWriteError error : errors) {
            if (isLostInsert(error)) {
                WriteIntent intent = sourceOf(error.getIndex());
                // the driver gave the refused insert an _id of its own: the stored record keeps the other writer's
                Document replacement = new Document(intent.document());
                replacement.remove("_id");
                retries.add(new ReplaceOneModel<>(olderThan(intent), replacement));
            }
        }
        return retries;
    }

    private static org.bson.conversions.Bson olderThan(WriteIntent intent) {
        var byId = Filters.eq(ImageRecordCodec.ID, intent.id());
        if (intent.version() == null) {
            return byId;
        }
        return Filters.and(byId, Filters.or(
                Filters.lt(ImageRecordCodec.UPDATED_AT, intent.version()),
                Filters.and(Filters.eq(ImageRecordCodec.UPDATED_AT, null), Filters.lt(ImageRecordCodec.CREATED_AT, intent.version()))));
    }

    /** The intent behind the write model at {@code index}: used to dead-letter a write MongoDB rejected. */
    public WriteIntent sourceOf(int index) {
        return modelSources.get(index);
    }

    public int staleSkipped() {
        return staleInBatch + staleInDatabase;
    }

    public int unchanged() {
        return unchanged;
    }

    /** Nanoseconds since the stored versions were compared, i.e. the bulk write's duration once it returned. */
    public long nanosSinceResolve() {
        return System.nanoTime() - writeStartedNanos;
    }

    /** The plant the intents came from (one collection holds one plant). */
    public String plant() {
        return latest.values().stream().findFirst().map(i -> i.source() == null ? null : i.source().plant()).orElse(null);
    }
}
