package org.lims.consumer.api.model;

/** OpenAPI model only. */
public class MessageJson {
    public String message;
}
