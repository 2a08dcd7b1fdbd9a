package org.lims.consumer.api.model;

import java.util.List;

/**
 * The body of POST /image-plant/{plant}/: id required; fields other than id omitted or null stay unchanged.
 * {@code ImageRequests.update} validates a body against it field by field (RestRouteTest checks it covers each field).
 */
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
