package org.lims.consumer.api;

import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/** A validated request aimed at one stored image: a read by id, an update, a delete. */
public interface ImageTarget {

    String plant();

    String collection();

    Number id();

    /** {@code {id: N}}, N typed as the codec stores it (int32 when it fits): answered from the unique index. */
    default Document query() {
        return new Document(ImageRecordCodec.ID, id());
    }
}
