package org.lims.consumer.reconcile;

import java.util.Locale;

/** What a comparison finds for one id; only {@link #MISSING} and {@link #STALE} are repaired. */
public enum DifferenceKind {
    /** in the producer database only */
    MISSING,
    /** the consumer's version is older */
    STALE,
    /** the consumer's version is newer: reported, never written back */
    NEWER,
    /** in the consumer database only: reported, removed only with lims.reconcile.remove-extra=true */
    EXTRA,
    /** the same version but another created_at or is_deleted: the stale guard cannot order the two, so reported only */
    CONFLICT;

    /** The {@code kind} label of {@code lims_consumer_reconcile_differences_total}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
