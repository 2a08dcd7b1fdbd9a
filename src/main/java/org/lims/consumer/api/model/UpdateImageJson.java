package org.lims.consumer.api.model;

import java.util.List;

/** OpenAPI model only: the body of POST /image-plant/{plant}/; fields other than id omitted or null stay unchanged. */
public class UpdateImageJson {
    public long id;
    public Long camera_id;
    public List<Double> gps_coordinates;
    public String disease;
    /** in [0, 1] */
    public Double percentage;
    public Boolean is_active;
    public Boolean is_deleted;
}
