package org.lims.consumer.api;

import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * The validated query of {@code random} and of the paged list: typed values only, so nothing a
 * client sends can reach MongoDB as an operator. {@code fromId}/{@code limit} are null for random.
 */
public record ImageFilter(String plant, String collection, Boolean isActive, Boolean hasDisease, Long fromId,
                          Integer limit) {

    /** The filters alone ({@code is_active}, {@code has_disease}): what {@code total_images} counts. */
    public Document filter() {
        Document filter = new Document();
        if (isActive != null) {
            filter.append(ImageRecordCodec.IS_ACTIVE, isActive);
        }
        if (hasDisease != null) {
            filter.append(ImageRecordCodec.DISEASE, hasDisease ? new Document("$ne", null) : null);
        }
        return filter;
    }

    /** The filters plus {@code id >= from_id}. */
    public Document pageQuery() {
        Document query = filter();
        if (fromId != null) {
            query.append(ImageRecordCodec.ID, new Document("$gte", Ids.narrow(fromId)));
        }
        return query;
    }

    public Document sort() {
        return new Document(ImageRecordCodec.ID, 1);
    }

}
