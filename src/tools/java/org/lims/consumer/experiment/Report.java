package org.lims.consumer.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The experiment's Markdown report. */
final class Report {

    private Report() {
    }

    static Path write(Experiment.Result r, Path file) throws IOException {
        Files.writeString(file, markdown(r));
        return file;
    }

    static String markdown(Experiment.Result r) {
        Experiment.Config c = r.config;
        double hours = c.duration().toMillis() / 3_600_000.0;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "Run: %s h simulated at %sx speed-up, job rate x%s, %d seed records (%d per plant), random seed %d; "
                        + "images %.1f KB on average; wall time %.0f s.%n%n",
                Experiment.fmt(hours), Experiment.fmt(c.speedup()), Experiment.fmt(c.rate()), r.seedRecords, c.seedPerPlant(),
                c.randomSeed(), r.averageImageBytes / 1024, r.wallSeconds));
        if (!c.appOverrides().isEmpty()) {
            s.append("lims-consumer settings changed for this run: `").append(c.appOverrides()).append("`.\n\n");
        }
        s.append(String.format(Locale.ROOT, "Changes made by the LIMS jobs: %d (", r.changes));
        boolean first = true;
        for (Map.Entry<String, Long> e : r.changesByJob.entrySet()) {
            s.append(first ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            first = false;
        }
        s.append(String.format(Locale.ROOT, "); producer records at the end: %d; Kafka lag of lims-consumer at the end: %d.%n%n",
                r.producerRecords, r.kafkaLagAtEnd));
        if (c.lostPublishShare() > 0) {
            s.append(String.format(Locale.ROOT, "Fault: the Image API lost %d of its %d publishes (%s %% asked); %d of the lost changes were "
                            + "superseded by a later published change of the same record, %d were not (only the producer database holds them).%n%n",
                    r.lostPublishes, r.changes, Experiment.fmt(c.lostPublishShare() * 100), r.lostPublishes - r.lostNotSuperseded,
                    r.lostNotSuperseded));
        }
        s.append("| strategy | initial load | images | MB | MB per hour | staleness p50 | p99 | max | time differing | equal at end |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Experiment.Strategy st : r.strategies()) {
            String equal = st.equalAtEnd ? "yes" : "no (" + st.differingAtEnd + " records)";
            if (st.notReflected > 0) {
                equal += "; " + st.notReflected + " changes never reflected";
            }
            if (st.equalAfterNextRun != null) {
                equal += st.equalAfterNextRun ? "; yes after the next run" : "; still no after the next run";
            }
            s.append(String.format(Locale.ROOT, "| %s | %d images, %s MB | %d | %s | %s | %s | %s | %s | %.1f %% | %s |%n",
                    st.name, st.initialImages, mb(st.initialBytes), st.images, mb(st.bytes), mb(st.bytesPerHour(c.duration())),
                    duration(st.percentile(50)), duration(st.percentile(99)), duration(st.max()), st.differingShare * 100, equal));
        }
        s.append('\n');
        Experiment.Reconciliation rec = r.reconciliation;
        double hours2 = c.duration().toMillis() / 3_600_000.0;
        s.append(String.format(Locale.ROOT,
                "Reconciliation (stream + reconciliation): %d runs every %d simulated s, %.1f KB read from the producer database "
                        + "(digests, projections and %d repaired records), %.1f KB per hour: %.2f %% on top of the stream's %s MB per hour; "
                        + "run time %.2f s on average, %.2f s at most%s.%n%n",
                rec.runs, Experiment.RECONCILE_INTERVAL_MS / 1000, rec.bytesRead / 1024.0, rec.repaired, rec.bytesRead / 1024.0 / hours2,
                r.stream.bytes == 0 ? 0 : 100.0 * rec.bytesRead / r.stream.bytes, mb(r.stream.bytesPerHour(c.duration())),
                rec.meanRunWallSeconds, rec.maxRunWallSeconds, c.lostPublishShare() == 0 ? "" : String.format(Locale.ROOT,
                        "; lost changes a run healed first: %d, the longest after %s (interval %d s); %s", rec.healedByRun,
                        duration(rec.maxHealSeconds), Experiment.RECONCILE_INTERVAL_MS / 1000,
                        r.streamReconcile.notReflected == 0 ? "every lost change was healed"
                                : r.streamReconcile.notReflected + " lost changes were never healed")));
        s.append(String.format(Locale.ROOT,
                "Bytes: batch = BSON size of every record copied (`db_synchronizer_job_image_size`); stream = Kafka message bytes, key + value "
                        + "(`image_api_image_size`), published changes only; stream + reconciliation = the same plus everything reconciliation read from the producer database (`lims_consumer_reconcile_bytes_read_total`); the initial load (seed) is counted apart. Staleness: simulated time from a change to the moment "
                        + "its consumer database reflected it; the LIMS schedules run %sx faster than the wall clock, real processing time "
                        + "(a batch copy: %.2f s full, %.2f s incremental on average; a reconciliation run; the stream's consume and write) counts 1:1; "
                        + "a lost change is reflected when a later change of the same record arrives or a reconciliation run repairs it. "
                        + "Time differing: share of the run during which at least one change was not yet reflected.%n",
                Experiment.fmt(c.speedup()), r.full.meanRunWallSeconds, r.incremental.meanRunWallSeconds));
        return s.toString();
    }

    static String mb(double bytes) {
        double v = bytes / 1e6;
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
        }
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
}
