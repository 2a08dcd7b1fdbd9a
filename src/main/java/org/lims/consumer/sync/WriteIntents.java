package org.lims.consumer.sync;

import org.apache.camel.Variable;
import org.bson.Document;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;

/** The three apply steps of the router, one method each (bean {@code writeIntents}). */
public class WriteIntents {

    /** The variable {@code route-plant} sets: the collection the plant maps to. */
    public static final String COLLECTION = "collection";

    public WriteIntent upsert(SyncRecord sync, @Variable(COLLECTION) String collection) {
        ImageRecord r = requireDocument(sync);
        return new WriteIntent(collection, r.id(), Operation.UPSERT, r.document(), r.version(), sync);
    }

    /** Stores the record with {@code is_deleted: true}; a delete that carries only the id flags the stored record. */
    public WriteIntent softDelete(SyncRecord sync, @Variable(COLLECTION) String collection) {
        ImageRecord r = sync.record();
        Document doc = r.document();
        if (doc != null && !isIdOnly(doc)) {
            doc.put(ImageRecordCodec.IS_DELETED, Boolean.TRUE);
            return new WriteIntent(collection, r.id(), Operation.SOFT_DELETE, doc, r.version(), sync);
        }
        return new WriteIntent(collection, r.id(), Operation.SOFT_DELETE, null, r.version(), sync);
    }

    public WriteIntent hardDelete(SyncRecord sync, @Variable(COLLECTION) String collection) {
        return new WriteIntent(collection, sync.record().id(), Operation.HARD_DELETE, null, null, sync);
    }

    /** A batch of one, for a write that does not come from Kafka: nothing to commit, its outcome goes back to the caller. */
    public BatchPlan asPlan(WriteIntent intent) {
        return BatchPlan.request(intent);
    }

    private static boolean isIdOnly(Document doc) {
        for (String field : doc.keySet()) {
            if (!field.equals(ImageRecordCodec.ID) && !field.equals(ImageRecordCodec.UPDATED_AT)
                    && !field.equals(ImageRecordCodec.IS_DELETED)) {
                return false;
            }
        }
        return true;
    }

    private static ImageRecord requireDocument(SyncRecord sync) {
        if (sync.record().isTombstone()) {
            throw new IllegalStateException("an upsert needs a record, got a tombstone at "
                    + sync.topic() + "-" + sync.partition() + "@" + sync.offset());
        }
        return sync.record();
    }
}
