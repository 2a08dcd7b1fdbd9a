package org.lims.consumer.codec;

/** A record from a topic the plant router has no collection for (thrown from {@code sync.camel.yaml}). */
public class UnknownPlantException extends InvalidRecordException {
    public UnknownPlantException(String message) {
        super(RejectionReason.UNKNOWN_TOPIC, message);
    }
}
