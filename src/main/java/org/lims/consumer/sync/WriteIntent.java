package org.lims.consumer.sync;

import java.util.Date;

import org.bson.Document;

/**
 * What one record asks of one collection, before the stale guard has compared it with the stored
 * version. The apply routes produce these; {@link CollectionWrites} turns the winners into bulk
 * write models.
 *
 * @param document the full record to store (upsert and soft delete), or null for a hard delete
 *                 or a soft delete that names only the id
 * @param version  the record's {@code updated_at}/{@code created_at}; null means "cannot be judged
 *                 stale", so it is applied
 */
public record WriteIntent(String collection, Number id, Operation operation, Document document, Date version,
                          SyncRecord source) {

    /** The fold key within a batch: ids compare by value whatever their width (int32 1 == int64 1). */
    public String key() {
        return collection + '\u0000' + id.longValue();
    }
}
