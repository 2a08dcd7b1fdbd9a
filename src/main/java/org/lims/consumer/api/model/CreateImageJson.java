package org.lims.consumer.api.model;

import java.util.List;

/**
 * The body of PUT /image-plant/{plant}/, both fields required. {@code ImageRequests.create} validates a body
 * against it field by field, to report every error as FastAPI does (RestRouteTest checks it covers each field).
 */
public class CreateImageJson {
    public long camera_id;
    /** two numbers: latitude in [-90, 90], longitude in [-180, 180] */
    public List<Double> gps_coordinates;
}
