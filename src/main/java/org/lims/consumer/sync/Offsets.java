package org.lims.consumer.sync;

/** Bean {@code offsets}: the last step of a batch, reached only when MongoDB acknowledged all of its writes. */
public class Offsets {

    public void commit(BatchPlan plan) {
        plan.commitOffsets();
    }
}
