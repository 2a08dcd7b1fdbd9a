package org.lims.consumer.api;

import java.util.List;

import org.lims.consumer.api.model.ValidationErrorJson;

/**
 * An answer other than success, in the Image API's (FastAPI) shape: {@code {"detail": ...}} where
 * detail is a message (404, 405, 409, 413) or a list of validation errors (422). Thrown by the API
 * beans; the {@code rest-errors} route configuration renders it. No stack trace: it is an answer, not a fault.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final Object detail;

    public ApiException(int status, Object detail) {
        super(status + " " + detail, null, false, false);
        this.status = status;
        this.detail = detail;
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, detail);
    }

    public static ApiException imageNotFound(Number id) {
        return notFound("Image with id " + id + " not found");
    }

    public static ApiException invalid(List<ValidationErrorJson.Item> errors) {
        return new ApiException(422, List.copyOf(errors));
    }

    public int status() {
        return status;
    }

    public Object detail() {
        return detail;
    }
}
