package org.lims.consumer.api;

import org.bson.Document;

/**
 * A validated {@code POST /image-plant/{plant}/} body: the id, and the fields to change (those
 * present and not null), already typed as the consumer database stores them.
 */
public record ImageUpdate(String plant, String collection, Number id, Document changes) implements ImageTarget {
}
