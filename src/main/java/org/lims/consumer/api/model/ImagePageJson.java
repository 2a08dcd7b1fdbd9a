package org.lims.consumer.api.model;

import java.util.List;

/** A page of the image list: the records of the page and how many match the filters in all. */
public class ImagePageJson {
    public List<ImageRecordJson> image_list;
    public long total_images;

    public ImagePageJson(List<ImageRecordJson> imageList, long totalImages) {
        this.image_list = imageList;
        this.total_images = totalImages;
    }
}
