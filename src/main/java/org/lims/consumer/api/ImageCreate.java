package org.lims.consumer.api;

import java.util.List;

/** A validated {@code PUT /image-plant/{plant}/} body. */
public record ImageCreate(String plant, String collection, Number cameraId, List<Double> gpsCoordinates) {
}
