package org.lims.consumer.sync;

/**
 * What became of one record received from a plant topic; every record ends in exactly one
 * ({@code lims_consumer_records_total{plant,outcome}}).
 */
public enum Outcome {
    /** written to MongoDB */
    APPLIED("applied"),
    /** superseded by a newer version of the same id later in the same batch: the newer one is written instead */
    COALESCED("coalesced"),
    /** older than the stored version, or than a version of the same id earlier in the batch: skipped */
    STALE("stale"),
    /** the same version as the stored one (a redelivery or replay), or a delete of a record that is not there */
    UNCHANGED("unchanged"),
    /** sent to the dead-letter topic: poison, or a document MongoDB rejected for good */
    DEAD_LETTERED("dead_lettered");

    private static final Outcome[] ALL = values();

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static Outcome of(int ordinal) {
        return ALL[ordinal];
    }
}
