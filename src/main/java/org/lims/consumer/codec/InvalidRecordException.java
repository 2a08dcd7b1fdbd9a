package org.lims.consumer.codec;

/**
 * A record that can never be applied, whatever the state of MongoDB: it goes to the
 * dead-letter topic instead of being retried. {@link #reason()} is a short stable code
 * (it becomes the {@code lims.dlq.reason} header and a metric tag); the message says
 * precisely what was wrong.
 */
public class InvalidRecordException extends RuntimeException {

    private final RejectionReason reason;

    public InvalidRecordException(RejectionReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidRecordException(RejectionReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason.code();
    }
}
