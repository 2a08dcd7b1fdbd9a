package org.lims.consumer.codec;

import java.util.Date;

import org.bson.Document;

/**
 * One decoded image record: the BSON document to store (exactly the record's fields, with native
 * types) plus what the router needs to know about it.
 *
 * @param document          the fields to store, in the order they arrived; null for a tombstone
 * @param id                the business key ({@code Integer} or {@code Long}, as the number requires)
 * @param version           {@code updated_at}, or {@code created_at} when never updated; null when neither is set
 * @param explicitOperation the operation named in the message ({@code create}, {@code update},
 *                          {@code delete}), or null
 */
public record ImageRecord(Document document, Number id, Date version, String explicitOperation) {

    public boolean isTombstone() {
        return document == null;
    }

    public boolean isMarkedDeleted() {
        return document != null && Boolean.TRUE.equals(document.get(ImageRecordCodec.IS_DELETED));
    }
}
