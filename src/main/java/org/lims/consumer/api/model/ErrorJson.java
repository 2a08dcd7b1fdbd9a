package org.lims.consumer.api.model;

/** 400, 404, 405, 409, 413, 503 answers: {@code {"detail": "Image with id 5 not found"}}. */
public class ErrorJson {
    public String detail;

    public ErrorJson(String detail) {
        this.detail = detail;
    }
}
