package org.lims.consumer.codec;

/**
 * Why a record can never be applied: the {@code lims.dlq.reason} header of its dead letter and the
 * {@code reason} label of {@code lims_consumer_dlq_total}. Declared here, once, so that the metrics
 * can show every reason at 0 before the first poison record arrives.
 */
public enum RejectionReason {
    NOT_JSON("not-json"),
    NOT_AN_OBJECT("not-an-object"),
    INVALID_ENCODING("invalid-encoding"),
    MISSING_ID("missing-id"),
    INVALID_ID("invalid-id"),
    TOMBSTONE_WITHOUT_KEY("tombstone-without-key"),
    WRONG_TYPE("wrong-type"),
    INVALID_HEX("invalid-hex"),
    INVALID_DATE("invalid-date"),
    INVALID_OPERATION("invalid-operation"),
    /** the plant router has no collection for the record's topic */
    UNKNOWN_TOPIC("unknown-topic");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    /** The stable short code operators and alerts see. */
    public String code() {
        return code;
    }
}
