package org.lims.consumer.sync;

import java.util.List;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.bson.Document;

/** Bean {@code bulkWrites}: the step between reading the stored versions and the bulk write. */
public class BulkWrites {

    public static final String WRITES_VARIABLE = "writes";

    public List<WriteModel<Document>> resolve(@Variable(WRITES_VARIABLE) CollectionWrites writes, @Body List<Document> stored) {
        return writes.resolve(stored);
    }

    /** After MongoDB refused writes of a batch: the stored versions to read again for its duplicate-key inserts, or null. */
    public Document lostInsertQuery(Throwable refusal, CollectionWrites writes) {
        MongoBulkWriteException bulk = DeadLetters.findBulkException(refusal);
        return bulk == null ? null : writes.lostInsertQuery(bulk.getWriteErrors());
    }

    /** Those inserts whose id another writer stored meanwhile, as guarded replaces. */
    public List<WriteModel<Document>> lostInsertRewrites(@Body List<Document> stored, @Variable(WRITES_VARIABLE) CollectionWrites writes) {
        return writes.lostInsertRewrites(stored);
    }

    public void lostInsertsRewritten(BulkWriteResult result, CollectionWrites writes) {
        writes.lostInsertsRewritten(result.getMatchedCount());
    }

    /** A request's writes MongoDB refused for good: they go back to its caller (a taken id, for a create), not to the dead-letter topic. */
    public void refused(Throwable exception, CollectionWrites writes) {
        MongoBulkWriteException bulk = DeadLetters.findBulkException(exception);
        if (bulk != null) {
            writes.refused(bulk.getWriteErrors());
        }
    }

    /** A request's write met MongoDB unavailable: its caller answers at once instead of waiting with the Kafka batches. */
    public void unavailable(Throwable exception, CollectionWrites writes) {
        writes.failed(exception instanceof RuntimeException r ? r : new IllegalStateException(exception));
    }
}
