package org.lims.consumer.api.model;

/** The answer of a delete. */
public class MessageJson {
    public String message;

    public MessageJson(String message) {
        this.message = message;
    }
}
