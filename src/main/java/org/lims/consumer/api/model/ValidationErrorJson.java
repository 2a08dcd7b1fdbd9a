package org.lims.consumer.api.model;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A 422 answer, FastAPI's (pydantic 1) shape: every error of the request. */
public class ValidationErrorJson {
    public List<Item> detail;

    public ValidationErrorJson(List<Item> detail) {
        this.detail = detail;
    }

    public static class Item {
        /** where: "path"/"query"/"body", then the name (and index) */
        public List<Object> loc;
        public String msg;
        public String type;
        /** range errors only: {@code {"limit_value": N}} */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public Map<String, Object> ctx;

        public Item(List<Object> loc, String msg, String type, Map<String, Object> ctx) {
            this.loc = loc;
            this.msg = msg;
            this.type = type;
            this.ctx = ctx;
        }
    }
}
