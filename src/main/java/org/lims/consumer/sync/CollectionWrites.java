package org.lims.consumer.sync;

import java.util.ArrayList;
import java.util.BitSet;
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
import org.bson.conversions.Bson;
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
 * <p>Every intent added ends in exactly one {@link Outcome}, counted where it is decided: the fold
 * (coalesced, stale, unchanged), the comparison with the stored version (applied, stale,
 * unchanged) and MongoDB's answer ({@link #markRejected}: dead-lettered).
 *
 * <p>A Kafka record whose id the version read found absent is inserted rather than upsert-replaced:
 * the Mongo-wire server applies an insert without the upsert's lookup, and a catch-up is mostly
 * creates. Should another writer insert the id between the version read and the bulk (a second
 * replica during a rebalance), the unique id index refuses the insert: not poison, a lost race,
 * written again by {@link #lostInsertRewrites} as a replace that applies only over an older
 * stored version. A duplicate key on another unique index leaves the id absent: a rejection.
 *
 * <p>An insert (a REST create) is written only when no record has its id: a stored one, or the
 * unique id index refusing it, makes its outcome {@link RequestOutcome#ID_TAKEN}. A request (a write a
 * caller waits for, {@link BatchPlan#request}) hears what MongoDB refused or failed through
 * {@link #outcome()} instead of the dead-letter topic.
 */
public final class CollectionWrites {

    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final Document VERSION_PROJECTION = new Document(ImageRecordCodec.ID, 1)
            .append(ImageRecordCodec.CREATED_AT, 1).append(ImageRecordCodec.UPDATED_AT, 1).append("_id", 0);

    /** What became of a request's write once {@code bulk-write} ran. */
    public enum RequestOutcome {
        WRITTEN,
        /** an insert whose id another writer holds */
        ID_TAKEN,
        /** the stored record is as new or newer: nothing written */
        NOT_NEWER
    }

    private final String collection;
    private final boolean request;
    private final Map<Long, WriteIntent> latest = new LinkedHashMap<>();
    private final OutcomeCounts folded = new OutcomeCounts();

    private final List<WriteModel<Document>> models = new ArrayList<>();
    private final List<WriteIntent> modelSources = new ArrayList<>();
    private OutcomeCounts resolved = new OutcomeCounts();
    private final BitSet rejected = new BitSet();
    private int idsTaken;
    private final List<BulkWriteError> refusals = new ArrayList<>();
    /** Model indexes of the lost inserts written again as guarded replaces, once MongoDB acknowledged them. */
    private final BitSet rewritten = new BitSet();
    /** Those of them that met a stored version as new: they wrote nothing. */
    private final BitSet rewrittenOverNothingOlder = new BitSet();
    private final List<Integer> pendingRewrites = new ArrayList<>();
    private RuntimeException failure;
    private long writeStartedNanos;

    public CollectionWrites(String collection) {
        this(collection, false);
    }

    CollectionWrites(String collection, boolean request) {
        this.collection = collection;
        this.request = request;
    }

    /** A write a caller waits for (REST), not a Kafka batch: MongoDB's refusal or failure goes back to the caller. */
    public boolean request() {
        return request;
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
            folded.add(plantOf(next), Outcome.STALE);
        } else if (winner == current) {
            folded.add(plantOf(next), Outcome.UNCHANGED);
        } else {
            folded.add(plantOf(current), Outcome.COALESCED);
            latest.put(id, winner);
        }
    }

    private static String plantOf(WriteIntent intent) {
        return intent.source() == null ? null : intent.source().plant();
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
        Map<Long, Document> storedById = indexById(stored);
        writeStartedNanos = System.nanoTime();
        models.clear();
        modelSources.clear();
        rejected.clear();
        rewritten.clear();
        rewrittenOverNothingOlder.clear();
        resolved = new OutcomeCounts();
        idsTaken = 0;
        for (WriteIntent intent : latest.values()) {
            Document current = storedById.get(intent.id().longValue());
            WriteModel<Document> model = decide(intent, current);
            if (model != null) {
                models.add(model);
                modelSources.add(intent);
                resolved.add(plantOf(intent), Outcome.APPLIED);
            }
        }
        return models;
    }

    /** Stored documents (a version read's answer) by their id. */
    private static Map<Long, Document> indexById(List<Document> stored) {
        Map<Long, Document> index = new HashMap<>();
        for (Document doc : stored) {
            if (doc.get(ImageRecordCodec.ID) instanceof Number n) {
                index.put(n.longValue(), doc);
            }
        }
        return index;
    }

    private WriteModel<Document> decide(WriteIntent intent, Document stored) {
        var byId = Filters.eq(ImageRecordCodec.ID, intent.id());
        if (intent.operation() == Operation.INSERT) {
            if (stored != null) {
                idsTaken++;
                resolved.add(plantOf(intent), Outcome.UNCHANGED);
                return null;
            }
            // the unique id index still refuses it if another writer inserts the id before this bulk runs
            return new InsertOneModel<>(intent.document());
        }
        if (intent.operation() == Operation.HARD_DELETE) {
            if (stored == null) {
                resolved.add(plantOf(intent), Outcome.UNCHANGED);
                return null;
            }
            return new DeleteOneModel<>(byId);
        }
        if (stored != null) {
            Date storedVersion = ImageRecordCodec.version(stored);
            if (isOlder(intent.version(), storedVersion)) {
                resolved.add(plantOf(intent), Outcome.STALE);
                return null;
            }
            if (intent.version() != null && intent.version().equals(storedVersion)) {
                resolved.add(plantOf(intent), Outcome.UNCHANGED);
                return null;
            }
        }
        if (intent.document() != null) {
            // a request (REST) keeps the upsert: its caller hears a refusal, and would hear a lost race as one
            return stored == null && !request ? new InsertOneModel<>(intent.document()) : new ReplaceOneModel<>(byId, intent.document(), UPSERT);
        }
        if (stored == null) {
            resolved.add(plantOf(intent), Outcome.UNCHANGED);
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

    /** The intent behind the write model at {@code index}: used to dead-letter a write MongoDB rejected. */
    public WriteIntent sourceOf(int index) {
        return modelSources.get(index);
    }

    /**
     * True when MongoDB refused the write at the error's index as a Kafka record's insert with a duplicate key: an
     * id that another writer inserted after the version read, or a value another unique index holds (a REST
     * create's taken id is its caller's answer, not a candidate). {@link #lostInsertQuery} tells the two apart.
     */
    public boolean isDuplicateInsert(BulkWriteError error) {
        return models.get(error.getIndex()) instanceof InsertOneModel
                && sourceOf(error.getIndex()).operation() != Operation.INSERT
                && ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }

    /**
     * The stored versions to read again for the duplicate-key inserts among {@code errors}, or null when there
     * are none: an id that is stored now lost the race for it; one that is still absent met another unique index,
     * a rejection like any other (dead-lettered).
     */
    public Document lostInsertQuery(List<BulkWriteError> errors) {
        pendingRewrites.clear();
        List<Object> ids = new ArrayList<>();
        for (BulkWriteError error : errors) {
            if (isDuplicateInsert(error)) {
                pendingRewrites.add(error.getIndex());
                ids.add(sourceOf(error.getIndex()).id());
            }
        }
        return ids.isEmpty() ? null : new Document(ImageRecordCodec.ID, new Document("$in", ids));
    }

    /**
     * The inserts of {@link #lostInsertQuery} whose id is stored now (another writer inserted it), as replaces
     * guarded by the stale rule: each applies only over a stored version (updated_at, else created_at) older
     * than the record's, so the newer of the two writers' records stays, whichever wrote first.
     */
    public List<WriteModel<Document>> lostInsertRewrites(List<Document> stored) {
        java.util.Set<Long> storedIds = indexById(stored).keySet();
        List<WriteModel<Document>> rewrites = new ArrayList<>();
        List<Integer> lost = new ArrayList<>();
        for (int index : pendingRewrites) {
            WriteIntent intent = sourceOf(index);
            if (storedIds.contains(intent.id().longValue())) {
                // the driver gave the refused insert an _id of its own: the stored record keeps the other writer's
                Document replacement = new Document(intent.document());
                replacement.remove("_id");
                rewrites.add(new ReplaceOneModel<>(olderThan(intent), replacement));
                lost.add(index);
            }
        }
        pendingRewrites.clear();
        pendingRewrites.addAll(lost);
        return rewrites;
    }

    /**
     * MongoDB acknowledged the rewrites of {@link #lostInsertRewrites}. One that matched nothing met a stored
     * version as new or newer (usually the same record, delivered to both replicas during a rebalance): unchanged.
     */
    public void lostInsertsRewritten(int matched) {
        int notNewer = pendingRewrites.size() - matched;
        for (int k = 0; k < pendingRewrites.size(); k++) {
            int index = pendingRewrites.get(k);
            rewritten.set(index);
            if (k < notNewer) {
                // MongoDB reports how many matched, not which: the count is exact, the choice of index arbitrary
                rewrittenOverNothingOlder.set(index);
                resolved.move(plantOf(sourceOf(index)), Outcome.APPLIED, Outcome.UNCHANGED);
            }
        }
        pendingRewrites.clear();
    }

    /** True when the refused write at the error's index was a lost insert, written again since. */
    public boolean wasRewritten(BulkWriteError error) {
        return rewritten.get(error.getIndex());
    }

    private static Bson olderThan(WriteIntent intent) {
        Bson byId = Filters.eq(ImageRecordCodec.ID, intent.id());
        if (intent.version() == null) {
            return byId;
        }
        return Filters.and(byId, Filters.or(
                Filters.lt(ImageRecordCodec.UPDATED_AT, intent.version()),
                Filters.and(Filters.eq(ImageRecordCodec.UPDATED_AT, null), Filters.lt(ImageRecordCodec.CREATED_AT, intent.version()))));
    }

    /** For a request: the writes MongoDB refused for good, kept for {@link #outcome()}. */
    void refused(List<BulkWriteError> errors) {
        refusals.addAll(errors);
    }

    /** For a request: MongoDB could not be reached, for {@link #outcome()} to throw. */
    void failed(RuntimeException unavailable) {
        failure = unavailable;
    }

    /**
     * The outcome of a request's write: a taken id is {@link RequestOutcome#ID_TAKEN}; MongoDB unavailable,
     * or refusing the write for another reason, is thrown.
     */
    public RequestOutcome outcome() {
        if (failure != null) {
            throw failure;
        }
        for (BulkWriteError refusal : refusals) {
            WriteIntent intent = sourceOf(refusal.getIndex());
            if (intent.operation() == Operation.INSERT && ErrorCategory.fromErrorCode(refusal.getCode()) == ErrorCategory.DUPLICATE_KEY) {
                return RequestOutcome.ID_TAKEN;
            }
            throw new IllegalStateException("MongoDB refused the write of id " + intent.id() + " in " + collection
                    + " (" + refusal.getCode() + "): " + refusal.getMessage());
        }
        if (idsTaken > 0) {
            return RequestOutcome.ID_TAKEN;
        }
        return models.isEmpty() ? RequestOutcome.NOT_NEWER : RequestOutcome.WRITTEN;
    }

    /** MongoDB rejected the write at {@code index} for good: its record is dead-lettered instead of applied. */
    public void markRejected(int index) {
        if (!rejected.get(index)) {
            rejected.set(index);
            resolved.move(plantOf(sourceOf(index)), Outcome.APPLIED, Outcome.DEAD_LETTERED);
        }
    }

    public boolean isRejected(int index) {
        return rejected.get(index);
    }

    /** True when the write at {@code index} stored nothing: rejected, or a lost insert whose rewrite met a version as new. */
    public boolean wroteNothing(int index) {
        return rejected.get(index) || rewrittenOverNothingOlder.get(index);
    }

    /** Writes MongoDB acknowledged: the models sent less the rejected ones and the lost inserts that found a version as new. */
    public int applied() {
        return models.size() - rejected.cardinality() - rewrittenOverNothingOlder.cardinality();
    }

    public int rejectedCount() {
        return rejected.cardinality();
    }

    public int coalesced() {
        return folded.total(Outcome.COALESCED);
    }

    public int staleSkipped() {
        return folded.total(Outcome.STALE) + resolved.total(Outcome.STALE);
    }

    public int unchanged() {
        return folded.total(Outcome.UNCHANGED) + resolved.total(Outcome.UNCHANGED);
    }

    /** The outcome of every intent added, per plant, once {@link #resolve} ran (the fold's alone before). */
    public void forEachOutcome(OutcomeCounts.PlantOutcomeConsumer action) {
        folded.forEach(action);
        resolved.forEach(action);
    }

    /** Nanoseconds since the stored versions were compared, i.e. the bulk write's duration once it returned. */
    public long nanosSinceResolve() {
        return System.nanoTime() - writeStartedNanos;
    }
}
