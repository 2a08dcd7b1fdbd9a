package org.lims.consumer.api.model;

import java.util.List;

/** OpenAPI model only: a page of the image list. */
public class ImagePageJson {
    public List<ImageRecordJson> image_list;
    public long total_images;
}
