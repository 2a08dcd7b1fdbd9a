package org.lims.consumer.reconcile;

import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.lims.consumer.config.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison's walk from digests to pages to repairs, on digest and projection documents as MongoDB answers them. */
class PlantComparisonTest {

    private static final ReconcileSettings SETTINGS = new ReconcileSettings(600, 30, false, 1000, 10, 1000, 100, 0);

    private final Map<DifferenceKind, Long> reported = new EnumMap<>(DifferenceKind.class);

    private PlantComparison comparison(ReconcileSettings settings) {
        return new PlantComparison("potato", "imagecolplantpotato", "imagecolplantpotato", settings,
                (kind, n) -> reported.merge(kind, n, Long::sum));
    }

    @Test
    void equalDigestsEndThePlantAtTheTopLevel() {
        PlantComparison c = comparison(SETTINGS);
        assertTrue(c.isRefining());
        c.digested(List.of(digest(0, 999, 42), digest(1, 1000, 7)), List.of(digest(0, 999, 42), digest(1, 1000, 7)));
        assertFalse(c.isRefining());
        assertFalse(c.isComparing());
        assertFalse(c.isRepairing());
        assertEquals(1999, c.producerRecords());
    }

    @Test
    void differingBucketsAreSplitInTenthsDownToTheLeafAndBucketsOfOneSideAreReadAtOnce() {
        PlantComparison c = comparison(SETTINGS);
        // bucket 0 differs on both sides, bucket 5 exists in the producer only
        c.digested(List.of(digest(0, 999, 1)), List.of(digest(0, 999, 2), digest(5, 3, 9)));
        assertTrue(c.isRefining());
        Document match = c.digestPipeline().get(0).get("$match", Document.class);
        assertEquals(new Document("$gte", 0L).append("$lt", 1000L), match.get("id"), "level 100 reads bucket 0's ids only");
        c.digested(List.of(digest(3, 100, 1)), List.of(digest(3, 100, 2)));
        assertTrue(c.isRefining());
        c.digested(List.of(digest(31, 10, 1)), List.of(digest(31, 10, 2)));
        assertFalse(c.isRefining(), "10 ids: the leaf");
        assertTrue(c.isComparing());
        assertEquals(13, c.getToCompare());
        // one page, two ranges apart: [310, 320) and [5000, 6000), in id order
        List<Document> page = c.comparePipeline();
        assertEquals(new Document("$gte", 310L).append("$lt", 6000L), page.get(0).get("$match", Document.class).get("id"));
        @SuppressWarnings("unchecked")
        List<Long> buckets = (List<Long>) page.get(2).get("$match", Document.class).get("b", Document.class).get("$in");
        assertEquals(101, buckets.size());
        assertEquals(31L, buckets.get(0));
        assertEquals(500L, buckets.get(1));
    }

    @Test
    void manyDifferingParentsAreDigestedAHundredAtATime() {
        PlantComparison c = comparison(new ReconcileSettings(600, 30, false, 10_000, 10, 1000, 100, 0));
        List<Document> consumer = new ArrayList<>();
        List<Document> producer = new ArrayList<>();
        for (long bucket = 0; bucket < 250; bucket += 1) {
            consumer.add(digest(bucket, 10_000, 1));
            producer.add(digest(bucket, 10_000, bucket % 2 == 0 ? 2 : 1));
        }
        c.digested(consumer, producer);
        // 125 differing buckets of 10,000 ids: two queries at level 1,000
        Document first = c.digestPipeline().get(0).get("$match", Document.class).get("id", Document.class);
        assertEquals(0L, first.get("$gte"));
        assertEquals(1_990_000L, first.get("$lt"), "the first 100 parents: buckets 0, 2, ..., 198");
        c.digested(List.of(digest(5, 1000, 1)), List.of(digest(5, 1000, 2)));
        assertTrue(c.isRefining());
        Document second = c.digestPipeline().get(0).get("$match", Document.class).get("id", Document.class);
        assertEquals(2_000_000L, second.get("$gte"));
        c.digested(List.of(), List.of());
        // the level is done: only bucket 5 of the first query goes on, at level 100
        Document next = c.digestPipeline().get(0).get("$match", Document.class).get("id", Document.class);
        assertEquals(5_000L, next.get("$gte"));
        assertEquals(6_000L, next.get("$lt"));
    }

    @Test
    void eachIdIsClassifiedAndOnlyMissingAndStaleOnesAreRepairCandidates() {
        PlantComparison c = comparison(SETTINGS);
        c.digested(List.of(digest(0, 6, 1)), List.of(digest(0, 6, 2)));
        c.digested(List.of(digest(0, 6, 1)), List.of(digest(0, 6, 2)));
        c.digested(List.of(digest(0, 6, 1)), List.of(digest(0, 6, 2)));
        List<Document> consumer = List.of(row(1, 10, false), row(2, 10, false), row(3, 30, false), row(4, 20, true), row(6, 20, false));
        List<Document> producer = List.of(row(1, 10, false), row(2, 20, false), row(3, 20, false), row(4, 20, false), row(5, 20, false));
        c.compared(consumer, producer);
        assertEquals(Map.of(DifferenceKind.NEWER, 1L, DifferenceKind.CONFLICT, 1L, DifferenceKind.EXTRA, 1L), reported,
                "missing and stale are counted once checked again");
        assertTrue(c.isRepairing());

        // ids 2 (stale) and 5 (missing); the stream has delivered 2 meanwhile
        Document recheck = c.recheckQuery();
        assertEquals(List.of(2, 5), recheck.get("id", Document.class).get("$in"));
        List<Document> fetch = c.rechecked(List.of(new Document("id", 2).append("created_at", new Date(0)).append("updated_at", new Date(20))));
        assertEquals(1, fetch.size());
        assertEquals(List.of(5), fetch.get(0).get("id", Document.class).get("$in"));
        assertEquals(1L, reported.get(DifferenceKind.MISSING));
        assertEquals(null, reported.get(DifferenceKind.STALE));
        assertEquals(1, c.inFlight());
        assertFalse(c.isRepairing());
    }

    @Test
    void aRangeLargerThanAPageIsCutIntoLeafAlignedPages() {
        PlantComparison c = comparison(new ReconcileSettings(600, 30, false, 1000, 10, 300, 100, 0));
        c.digested(List.of(), List.of(digest(2, 1000, 5)));
        assertFalse(c.isRefining());
        List<long[]> bounds = new ArrayList<>();
        while (c.isComparing()) {
            Document id = c.comparePipeline().get(0).get("$match", Document.class).get("id", Document.class);
            bounds.add(new long[] {id.getLong("$gte"), id.getLong("$lt")});
            c.compared(List.of(), List.of());
        }
        assertEquals(4, bounds.size());
        assertEquals(2000, bounds.get(0)[0]);
        assertEquals(3000, bounds.get(bounds.size() - 1)[1]);
        for (int i = 0; i < bounds.size(); i++) {
            assertEquals(0, bounds.get(i)[0] % 10, "leaf-aligned");
            if (i > 0) {
                assertEquals(bounds.get(i - 1)[1], bounds.get(i)[0], "contiguous");
            }
        }
    }

    @Test
    void extrasAreNeverRemovedWhenTheProducerCollectionIsEmpty() {
        PlantComparison c = comparison(new ReconcileSettings(600, 30, true, 1000, 10, 1000, 100, 0));
        c.digested(List.of(digest(0, 1, 3)), List.of());
        c.compared(List.of(row(7, 10, false)), List.of());
        assertEquals(1L, reported.get(DifferenceKind.EXTRA));
        assertFalse(c.isRemovingExtras());
        assertTrue(c.extrasKeptBecauseProducerEmpty());
    }

    @Test
    void rangeSizeMustBeTheLeafSizeTimesAPowerOfTen() {
        assertThrows(Settings.StartupException.class, () -> new ReconcileSettings(600, 30, false, 1500, 10, 1000, 100, 0));
        assertThrows(Settings.StartupException.class, () -> new ReconcileSettings(600, 30, false, 1000, 0, 1000, 100, 0));
        assertEquals(100_000, new ReconcileSettings(600, 30, false, 100_000, 10, 1000, 100, 0).rangeSize());
    }

    @Test
    void aFailedRunIsRetriedSoonerFirstAndNeverLaterThanTheInterval() {
        ReconcileSchedule schedule = new ReconcileSchedule(null, new ReconcileSettings(600, 30, false, 1000, 10, 1000, 100, 0));
        assertTrue(schedule.begin());
        assertFalse(schedule.begin(), "one run at a time");
        assertEquals(30, schedule.failed());
        assertEquals(60, schedule.failed());
        assertEquals(120, schedule.failed());
        assertEquals(240, schedule.failed());
        assertEquals(480, schedule.failed());
        assertEquals(600, schedule.failed());
        schedule.succeeded();
        schedule.end();
        assertEquals(30, schedule.failed(), "a success resets the backoff");
    }

    private static Document digest(long bucket, long records, long hash) {
        return new Document("_id", (double) bucket).append(Pipelines.COUNT, (int) records).append(Pipelines.HASH, (double) hash);
    }

    private static Document row(int id, long version, boolean deleted) {
        return new Document(Pipelines.ID, id).append(Pipelines.UPDATED, new Date(version)).append(Pipelines.CREATED, new Date(0))
                .append(Pipelines.DELETED, deleted);
    }
}
