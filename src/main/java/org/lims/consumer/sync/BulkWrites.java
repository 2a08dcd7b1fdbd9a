package org.lims.consumer.sync;

import java.util.List;

import com.mongodb.MongoBulkWriteException;
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

    /** After MongoDB refused writes of a bulk: the inserts among them that lost their id to another writer, as guarded replaces. */
    public List<WriteModel<Document>> lostInsertRetries(Throwable refusal, @Variable(WRITES_VARIABLE) CollectionWrites writes) {
        MongoBulkWriteException bulk = DeadLetters.findBulkException(refusal);
        return bulk == null ? List.of() : writes.lostInsertRetries(bulk.getWriteErrors());
    }
}
