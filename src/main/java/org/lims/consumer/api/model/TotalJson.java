package org.lims.consumer.api.model;

/** OpenAPI model only. */
public class TotalJson {
    public long total_images;
}
