package org.lims.consumer.reconcile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ObjLongConsumer;

import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * One plant's share of a reconciliation run, as the {@code reconcile-*} routes walk it:
 * <ol>
 * <li><b>digests</b>, coarse to fine: both databases digest their records per id bucket (count and
 * a hash of id and versions); buckets that agree are done, buckets that differ are digested again
 * in tenths, down to {@link ReconcileSettings#leafSize()}; a bucket only one side has is read in
 * detail at once;</li>
 * <li><b>compare pages</b>: the projections {@code (id, updated_at, created_at, is_deleted)} of the
 * differing buckets, both sides, a page of about {@link ReconcileSettings#pageSize()} records at a
 * time; each id is classified ({@link DifferenceKind});</li>
 * <li><b>repair pages</b>: the missing and stale ids, a page at a time: their consumer versions are
 * read again (after {@link ReconcileSettings#settleMs()}: what the stream delivered meanwhile was
 * only in flight), the rest is fetched from the producer and written through the stale guard;</li>
 * <li><b>extras</b>, with {@code remove-extra} only: ids still absent from the producer are removed.</li>
 * </ol>
 * Every read goes to the consumer first and to the producer second: a change made in between then
 * looks missing or stale (and is repaired through the stale guard, harmlessly), never extra or newer.
 */
public final class PlantComparison {

    static final int PARENTS_PER_DIGEST = 100;

    /** An id range [lo, hi) and how many records it holds on the fuller side. */
    record Range(long lo, long hi, long records) {
    }

    /** A record the producer holds at a newer version than the consumer (or alone). */
    record Candidate(Number id, Date producerVersion) {
    }

    private final String plant;
    private final String collection;
    private final String producerCollection;
    private final ReconcileSettings settings;
    private final ObjLongConsumer<DifferenceKind> onFound;
    private final long startedNanos = System.nanoTime();

    // digests
    private long level;
    private List<Long> parents;
    private int chunkStart;
    private List<Long> split = new ArrayList<>();
    private boolean refining = true;
    private long producerRecords;
    private long consumerRecords;
    private final List<Range> detail = new ArrayList<>();

    // compare pages
    private List<List<Range>> pages;
    private int pageIndex;
    private long toCompare;
    private long compared;
    private long lastProducerReadNanos;

    // repairs and removals
    private final List<Candidate> candidates = new ArrayList<>();
    private int repairIndex;
    private List<Candidate> repairPage = List.of();
    private final List<Number> extras = new ArrayList<>();
    private int extraIndex;
    private final Map<DifferenceKind, Long> found = new EnumMap<>(DifferenceKind.class);
    private long inFlight;
    private long repaired;
    private long removed;
    private long repairStartedNanos;

    /** @param onFound told of every difference as it is found (the metrics) */
    PlantComparison(String plant, String collection, String producerCollection, ReconcileSettings settings,
                    ObjLongConsumer<DifferenceKind> onFound) {
        this.plant = plant;
        this.collection = collection;
        this.producerCollection = producerCollection;
        this.settings = settings;
        this.onFound = onFound;
        this.level = settings.rangeSize();
        for (DifferenceKind kind : DifferenceKind.values()) {
            found.put(kind, 0L);
        }
    }

    public String getPlant() {
        return plant;
    }

    public String getCollection() {
        return collection;
    }

    public String getProducerCollection() {
        return producerCollection;
    }

    /** What a recheck reads of the consumer: the stale guard's fields. */
    public Document getVersionProjection() {
        return new Document(ImageRecordCodec.ID, 1).append(ImageRecordCodec.CREATED_AT, 1).append(ImageRecordCodec.UPDATED_AT, 1)
                .append("_id", 0);
    }

    /** What a repair reads of the producer: the whole record but its {@code _id}, which the consumer keeps its own of. */
    public Document getRecordProjection() {
        return new Document("_id", 0);
    }

    /** What the extras check reads of the producer: whether the id is there. */
    public Document getIdProjection() {
        return new Document(ImageRecordCodec.ID, 1).append("_id", 0);
    }

    // ------------------------------------------------------------------------------------------
    // digests

    /** True while digests are pending: at the start, and while the last level found buckets to split. */
    public boolean isRefining() {
        return refining;
    }

    /** The digest pipeline of the current level's next chunk of parent buckets (the same for both databases). */
    public List<Document> digestPipeline() {
        if (parents == null) {
            return Pipelines.digest(level, null, 0, null);
        }
        List<Long> chunk = chunk();
        long parentSize = level * ReconcileSettings.FAN_OUT;
        long[] bounds = {chunk.get(0) * parentSize, (chunk.get(chunk.size() - 1) + 1) * parentSize};
        return Pipelines.digest(level, bounds, parentSize, isContiguous(chunk) ? null : chunk);
    }

    /**
     * At most {@link #PARENTS_PER_DIGEST} parents per digest query: it keeps the id bounds tight and the
     * {@code $in} list short (the Mongo-wire server tests each record against the whole list).
     */
    private List<Long> chunk() {
        return parents.subList(chunkStart, Math.min(parents.size(), chunkStart + PARENTS_PER_DIGEST));
    }

    /** Compares the two sides' digests of the current level; buckets that differ are split further or read in detail. */
    void digested(List<Document> consumer, List<Document> producer) {
        Map<Long, long[]> c = digests(consumer);
        Map<Long, long[]> p = digests(producer);
        if (parents == null) {
            consumerRecords = c.values().stream().mapToLong(d -> d[0]).sum();
            producerRecords = p.values().stream().mapToLong(d -> d[0]).sum();
        }
        TreeSet<Long> buckets = new TreeSet<>(c.keySet());
        buckets.addAll(p.keySet());
        for (long bucket : buckets) {
            long[] dc = c.get(bucket);
            long[] dp = p.get(bucket);
            if (dc != null && dp != null && dc[0] == dp[0] && dc[1] == dp[1]) {
                continue;
            }
            if (dc == null || dp == null || level <= settings.leafSize()) {
                long records = Math.max(dc == null ? 0 : dc[0], dp == null ? 0 : dp[0]);
                detail.add(new Range(bucket * level, (bucket + 1) * level, records));
            } else {
                split.add(bucket);
            }
        }
        if (parents != null && chunkStart + PARENTS_PER_DIGEST < parents.size()) {
            chunkStart += PARENTS_PER_DIGEST;
            return;
        }
        if (split.isEmpty()) {
            refining = false;
            // levels add their ranges as they finish: a one-sided top bucket may precede a leaf below it
            detail.sort(java.util.Comparator.comparingLong(Range::lo));
            pages = paginate(detail);
            toCompare = detail.stream().mapToLong(Range::records).sum();
        } else {
            parents = split;
            split = new ArrayList<>();
            chunkStart = 0;
            level = level / ReconcileSettings.FAN_OUT;
        }
    }

    private static Map<Long, long[]> digests(List<Document> docs) {
        Map<Long, long[]> out = new TreeMap<>();
        for (Document d : docs) {
            long bucket = ((Number) d.get("_id")).longValue();
            out.put(bucket, new long[] {number(d.get(Pipelines.COUNT)), number(d.get(Pipelines.HASH))});
        }
        return out;
    }

    private static long number(Object value) {
        return value instanceof Number n ? Math.round(n.doubleValue()) : 0;
    }

    /** Consecutive ranges into pages of about pageSize records; a range larger than a page is cut into leaf-aligned spans. */
    private List<List<Range>> paginate(List<Range> ranges) {
        List<List<Range>> out = new ArrayList<>();
        List<Range> page = new ArrayList<>();
        long inPage = 0;
        for (Range range : ranges) {
            for (Range part : cut(range)) {
                if (!page.isEmpty() && inPage + part.records() > settings.pageSize()) {
                    out.add(page);
                    page = new ArrayList<>();
                    inPage = 0;
                }
                page.add(part);
                inPage += part.records();
            }
        }
        if (!page.isEmpty()) {
            out.add(page);
        }
        return out;
    }

    private List<Range> cut(Range range) {
        if (range.records() <= settings.pageSize()) {
            return List.of(range);
        }
        long parts = (range.records() + settings.pageSize() - 1) / settings.pageSize();
        long leaf = settings.leafSize();
        long span = Math.max(leaf, ((range.hi() - range.lo()) / parts + leaf - 1) / leaf * leaf);
        List<Range> out = new ArrayList<>();
        for (long lo = range.lo(); lo < range.hi(); lo += span) {
            long hi = Math.min(range.hi(), lo + span);
            out.add(new Range(lo, hi, range.records() * (hi - lo) / (range.hi() - range.lo())));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // compare pages

    public boolean isComparing() {
        return pages != null && pageIndex < pages.size();
    }

    /** The detail pipeline of the next page (the same for both databases). */
    public List<Document> comparePipeline() {
        List<Range> page = pages.get(pageIndex);
        long lo = page.get(0).lo();
        long hi = page.get(page.size() - 1).hi();
        boolean contiguous = true;
        for (int i = 1; i < page.size(); i++) {
            contiguous &= page.get(i - 1).hi() == page.get(i).lo();
        }
        if (contiguous) {
            return Pipelines.detail(lo, hi, 0, null);
        }
        long leaf = settings.leafSize();
        List<Long> buckets = new ArrayList<>();
        for (Range r : page) {
            for (long b = r.lo() / leaf; b * leaf < r.hi(); b++) {
                buckets.add(b);
            }
        }
        return Pipelines.detail(lo, hi, leaf, buckets);
    }

    /** Classifies every id of the page; missing and stale ones become repair candidates. */
    void compared(List<Document> consumer, List<Document> producer) {
        lastProducerReadNanos = System.nanoTime();
        Map<Long, Document> c = byId(consumer);
        Map<Long, Document> p = byId(producer);
        TreeSet<Long> ids = new TreeSet<>(c.keySet());
        ids.addAll(p.keySet());
        for (long id : ids) {
            Document dc = c.get(id);
            Document dp = p.get(id);
            if (dc == null) {
                candidates.add(new Candidate((Number) dp.get(Pipelines.ID), version(dp)));
                continue;
            }
            if (dp == null) {
                count(DifferenceKind.EXTRA);
                extras.add((Number) dc.get(Pipelines.ID));
                continue;
            }
            int order = compareVersions(version(dc), version(dp));
            if (order < 0) {
                candidates.add(new Candidate((Number) dp.get(Pipelines.ID), version(dp)));
            } else if (order > 0) {
                count(DifferenceKind.NEWER);
            } else if (!java.util.Objects.equals(dc.get(Pipelines.CREATED), dp.get(Pipelines.CREATED))
                    || !java.util.Objects.equals(Boolean.TRUE.equals(dc.get(Pipelines.DELETED)), Boolean.TRUE.equals(dp.get(Pipelines.DELETED)))) {
                count(DifferenceKind.CONFLICT);
            }
        }
        compared += page().stream().mapToLong(Range::records).sum();
        pageIndex++;
    }

    private List<Range> page() {
        return pages.get(pageIndex);
    }

    private static Map<Long, Document> byId(List<Document> docs) {
        Map<Long, Document> out = new TreeMap<>();
        for (Document d : docs) {
            if (d.get(Pipelines.ID) instanceof Number n) {
                out.put(n.longValue(), d);
            }
        }
        return out;
    }

    private static Date version(Document projected) {
        Object updated = projected.get(Pipelines.UPDATED);
        return updated instanceof Date u ? u : projected.get(Pipelines.CREATED) instanceof Date c ? c : null;
    }

    /** The stale guard's order: a record without a version is older than any record with one. */
    static int compareVersions(Date a, Date b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        return a.compareTo(b);
    }

    private void count(DifferenceKind kind) {
        found.merge(kind, 1L, Long::sum);
        onFound.accept(kind, 1);
    }

    public long getCompared() {
        return Math.min(compared, toCompare);
    }

    public long getToCompare() {
        return toCompare;
    }

    // ------------------------------------------------------------------------------------------
    // repair pages

    public boolean isRepairing() {
        return repairIndex < candidates.size();
    }

    /**
     * How long the first repair page waits: until {@link ReconcileSettings#settleMs()} after the last
     * producer read, so that the stream has delivered what was in flight when the pages were compared.
     */
    public long settleDelayMs() {
        if (repairIndex > 0) {
            return 0;
        }
        long since = (System.nanoTime() - lastProducerReadNanos) / 1_000_000;
        return Math.max(0, settings.settleMs() - since);
    }

    /** {@code {id: {$in: [...]}}} of the next repair page, for reading the consumer's versions again. */
    public Document recheckQuery() {
        if (repairIndex == 0) {
            repairStartedNanos = System.nanoTime();
        }
        int end = Math.min(candidates.size(), repairIndex + settings.pageSize());
        repairPage = candidates.subList(repairIndex, end);
        repairIndex = end;
        return idsIn(repairPage.stream().map(Candidate::id).toList());
    }

    /**
     * The page's candidates the consumer still holds older (or not at all), in fetch batches of
     * {@code {id: {$in}}}; the others were in flight and the stream has delivered them since.
     */
    List<Document> rechecked(List<Document> consumerNow) {
        Map<Long, Date> versions = new TreeMap<>();
        for (Document d : consumerNow) {
            if (d.get(ImageRecordCodec.ID) instanceof Number n) {
                versions.put(n.longValue(), ImageRecordCodec.version(d));
            }
        }
        List<Number> fetch = new ArrayList<>();
        for (Candidate candidate : repairPage) {
            long id = candidate.id().longValue();
            boolean present = versions.containsKey(id);
            if (present && compareVersions(versions.get(id), candidate.producerVersion()) >= 0) {
                inFlight++;
                continue;
            }
            count(present ? DifferenceKind.STALE : DifferenceKind.MISSING);
            fetch.add(candidate.id());
        }
        return batches(fetch);
    }

    void repaired(long written) {
        repaired += written;
    }

    /** One line per repair page: how far, how fast. */
    public String repairProgress() {
        double seconds = Math.max(1e-3, (System.nanoTime() - repairStartedNanos) / 1e9);
        return String.format(java.util.Locale.ROOT,
                "Reconcile %s: %d of %d records to repair checked (%.0f %%), %d repaired, %d delivered by the stream meanwhile; %.0f records/s",
                plant, repairIndex, candidates.size(), 100.0 * repairIndex / candidates.size(), repaired, inFlight, repairIndex / seconds);
    }

    /** One line per compare page. */
    public String compareProgress() {
        double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
        return String.format(java.util.Locale.ROOT,
                "Reconcile %s: %d of %d records in differing ranges compared (%.0f %%), %d to repair, %d extra, %d newer; %.0f records/s",
                plant, getCompared(), toCompare, toCompare == 0 ? 100.0 : 100.0 * getCompared() / toCompare, candidates.size(),
                found.get(DifferenceKind.EXTRA), found.get(DifferenceKind.NEWER), getCompared() / seconds);
    }

    /** Records this plant's run still has to compare or repair. */
    public long remaining() {
        return Math.max(0, toCompare - compared) + (candidates.size() - repairIndex);
    }

    // ------------------------------------------------------------------------------------------
    // extras

    /**
     * True while extras wait for removal: only with remove-extra, and never when the producer
     * collection looks empty (a wrong collection name is far likelier than a producer wiped on purpose).
     */
    public boolean isRemovingExtras() {
        return settings.removeExtra() && producerRecords > 0 && extraIndex < extras.size();
    }

    boolean extrasKeptBecauseProducerEmpty() {
        return settings.removeExtra() && producerRecords == 0 && !extras.isEmpty();
    }

    /** The next batch of extras, as {@code {id: {$in}}}: the producer is asked again right before they are removed. */
    public Document extrasQuery() {
        int end = Math.min(extras.size(), extraIndex + settings.fetchSize());
        List<Number> batch = extras.subList(extraIndex, end);
        extraIndex = end;
        return idsIn(batch);
    }

    /** The extras of the batch the producer still does not hold (by id value: int32 1 == int64 1). */
    List<Number> stillExtra(Document query, List<Document> producerNow) {
        java.util.Set<Long> present = new java.util.HashSet<>();
        for (Document d : producerNow) {
            if (d.get(ImageRecordCodec.ID) instanceof Number n) {
                present.add(n.longValue());
            }
        }
        @SuppressWarnings("unchecked")
        List<Number> asked = (List<Number>) query.get(ImageRecordCodec.ID, Document.class).get("$in");
        return asked.stream().filter(id -> !present.contains(id.longValue())).toList();
    }

    void removed(long count) {
        removed += count;
    }

    // ------------------------------------------------------------------------------------------

    List<Document> batches(Collection<Number> ids) {
        List<Document> out = new ArrayList<>();
        List<Number> batch = new ArrayList<>();
        for (Number id : ids) {
            batch.add(id);
            if (batch.size() == settings.fetchSize()) {
                out.add(idsIn(batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            out.add(idsIn(batch));
        }
        return out;
    }

    private static Document idsIn(List<Number> ids) {
        return new Document(ImageRecordCodec.ID, new Document("$in", new ArrayList<>(ids)));
    }

    private static boolean isContiguous(List<Long> buckets) {
        return buckets.get(buckets.size() - 1) - buckets.get(0) + 1 == buckets.size();
    }

    public long producerRecords() {
        return producerRecords;
    }

    public long consumerRecords() {
        return consumerRecords;
    }

    public Map<DifferenceKind, Long> found() {
        return found;
    }

    public long differences() {
        return found.values().stream().mapToLong(Long::longValue).sum();
    }

    public long repaired() {
        return repaired;
    }

    public long removed() {
        return removed;
    }

    public long inFlight() {
        return inFlight;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
