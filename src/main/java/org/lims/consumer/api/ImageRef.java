package org.lims.consumer.api;

/** One image of one plant, from a validated path: {@code /image-plant/{plant}/{image_id}}. */
public record ImageRef(String plant, String collection, Number id) implements ImageTarget {
}
