package org.lims.consumer.api;

/** Ids typed as the codec stores them: int32 when the value fits, else int64. */
final class Ids {

    private Ids() {
    }

    static Number narrow(long value) {
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return Integer.valueOf((int) value);
        }
        return Long.valueOf(value);
    }
}
