package org.lims.consumer.api.model;

/** OpenAPI model only: 404, 405, 409, 413 answers ({@code {"detail": "Image with id 5 not found"}}). */
public class ErrorJson {
    public String detail;
}
