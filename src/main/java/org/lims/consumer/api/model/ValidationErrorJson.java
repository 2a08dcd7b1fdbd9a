package org.lims.consumer.api.model;

import java.util.List;

/** OpenAPI model only: a 422 answer, FastAPI's shape. */
public class ValidationErrorJson {
    public List<Item> detail;

    public static class Item {
        /** where: "path"/"query"/"body", then the name (and index) */
        public List<Object> loc;
        public String msg;
        public String type;
    }
}
