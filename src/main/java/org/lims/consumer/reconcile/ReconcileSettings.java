package org.lims.consumer.reconcile;

import org.lims.consumer.config.Settings;

/**
 * The {@code lims.reconcile.*} settings (documented in application.properties).
 *
 * @param intervalSeconds   time between the starts of two runs
 * @param retryInitialSeconds first wait after a failed run; doubled per failure in a row, never beyond the interval
 * @param removeExtra       remove records the producer does not hold
 * @param rangeSize         ids per top-level digest bucket
 * @param leafSize          ids per bucket below which differing buckets are read in detail
 * @param pageSize          records per compare page and per repair page (one progress line each)
 * @param fetchSize         full producer records per read ({@code {id: {$in}}}) and per bulk write
 * @param settleMs          wait between finding a candidate and checking it again (changes in flight on the stream)
 */
public record ReconcileSettings(double intervalSeconds, double retryInitialSeconds, boolean removeExtra, long rangeSize,
                                long leafSize, int pageSize, int fetchSize, long settleMs) {

    /** Each digest level splits a bucket into this many. */
    public static final long FAN_OUT = 10;

    public ReconcileSettings {
        long ratio = leafSize > 0 ? rangeSize / leafSize : 0;
        while (ratio > 1 && ratio % FAN_OUT == 0) {
            ratio /= FAN_OUT;
        }
        if (leafSize < 1 || rangeSize % leafSize != 0 || ratio != 1) {
            throw new Settings.StartupException("lims.reconcile.range-size (" + rangeSize + ") must be lims.reconcile.leaf-size ("
                    + leafSize + ") times a power of " + FAN_OUT);
        }
        if (intervalSeconds <= 0 || pageSize < 1 || fetchSize < 1) {
            throw new Settings.StartupException("lims.reconcile.interval-s, page-size and fetch-size must be positive");
        }
    }

    public static ReconcileSettings from(Settings s) {
        return new ReconcileSettings(s.decimal("lims.reconcile.interval-s", 600), s.decimal("lims.reconcile.retry-initial-s", 30),
                s.flag("lims.reconcile.remove-extra"), s.integer("lims.reconcile.range-size", 1000), s.integer("lims.reconcile.leaf-size", 10),
                s.integer("lims.reconcile.page-size", 1000), s.integer("lims.reconcile.fetch-size", 100),
                s.integer("lims.reconcile.settle-ms", 2000));
    }
}
