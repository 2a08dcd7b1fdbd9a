package org.lims.consumer.sync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bean {@code offsets}: the last step of a batch, reached only when MongoDB acknowledged all of its writes. */
public class Offsets {

    private static final Logger LOG = LoggerFactory.getLogger("org.lims.consumer.sync.batch");

    public void commit(BatchPlan plan) {
        plan.commitOffsets();
        LOG.info("Applied batch: {}", plan.summary());
    }
}
