package org.lims.consumer.api.model;

import java.util.List;

/** OpenAPI model only: the body of PUT /image-plant/{plant}/. */
public class CreateImageJson {
    public long camera_id;
    /** two numbers: latitude in [-90, 90], longitude in [-180, 180] */
    public List<Double> gps_coordinates;
}
