package org.lims.consumer.api.model;

/** The number of images of a plant. */
public class TotalJson {
    public long total_images;

    public TotalJson(long totalImages) {
        this.total_images = totalImages;
    }
}
