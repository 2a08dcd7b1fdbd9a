package org.lims.consumer.api;

import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/** One image of one plant, from a validated path: {@code /image-plant/{plant}/{image_id}}. */
public record ImageRef(String plant, String collection, Number id) {

    /** {@code {id: N}}, N typed as the codec stores it (int32 when it fits): answered from the unique index. */
    public Document query() {
        return new Document(ImageRecordCodec.ID, id);
    }
}
