package org.lims.consumer.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.lims.consumer.api.model.ValidationErrorJson;

/**
 * Collects the validation errors of one request, each as FastAPI (pydantic 1) reports it:
 * {@code {"loc": [...], "msg": "...", "type": "..."}}, plus {@code ctx} for range errors.
 * All errors of a request are reported together, as FastAPI does.
 */
final class Validation {

    static final String FIELD_REQUIRED = "field required";
    static final String NOT_INTEGER = "value is not a valid integer";
    static final String NOT_FLOAT = "value is not a valid float";
    static final String NOT_BOOLEAN = "value could not be parsed to a boolean";

    private final List<ValidationErrorJson.Item> errors = new ArrayList<>();

    void missing(Object... loc) {
        add(List.of(loc), FIELD_REQUIRED, "value_error.missing", null);
    }

    void notNull(Object... loc) {
        add(List.of(loc), "none is not an allowed value", "type_error.none.not_allowed", null);
    }

    void notInteger(Object... loc) {
        add(List.of(loc), NOT_INTEGER, "type_error.integer", null);
    }

    void notFloat(Object... loc) {
        add(List.of(loc), NOT_FLOAT, "type_error.float", null);
    }

    void notBoolean(Object... loc) {
        add(List.of(loc), NOT_BOOLEAN, "type_error.bool", null);
    }

    void notString(Object... loc) {
        add(List.of(loc), "str type expected", "type_error.str", null);
    }

    void notList(Object... loc) {
        add(List.of(loc), "value is not a valid list", "type_error.list", null);
    }

    void notGreaterOrEqual(Number limit, Object... loc) {
        add(List.of(loc), "ensure this value is greater than or equal to " + limit, "value_error.number.not_ge",
                Map.of("limit_value", limit));
    }

    void notLessOrEqual(Number limit, Object... loc) {
        add(List.of(loc), "ensure this value is less than or equal to " + limit, "value_error.number.not_le",
                Map.of("limit_value", limit));
    }

    void add(List<Object> loc, String msg, String type, Map<String, Object> ctx) {
        errors.add(new ValidationErrorJson.Item(loc, msg, type, ctx));
    }

    /** Throws the 422 answer when anything was reported. */
    void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
