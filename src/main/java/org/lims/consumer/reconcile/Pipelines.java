package org.lims.consumer.reconcile;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * The aggregation pipelines reconciliation sends, identical for the consumer and the producer
 * database. Only operators that both MongoDB and the Mongo-wire server of the tests evaluate
 * ({@code $match} on id bounds, {@code $project} with {@code $floor}, {@code $divide},
 * {@code $toLong}, {@code $mod}, {@code $multiply}, {@code $ifNull}, {@code $cond}; {@code $group}
 * with {@code $sum}); no {@code $sample}, no filter on another field before the id bounds.
 */
final class Pipelines {

    /** Both primes: products of two residues stay below 2^53, so the sums are exact even where a server computes in doubles. */
    private static final long MIXER = 1_000_003L;
    private static final long MODULUS = 2_147_483_647L;

    /** Digest field names, short because every digest document crosses the network. */
    static final String COUNT = "n";
    static final String HASH = "h";
    /** Projection field names of the detail read. */
    static final String ID = "i";
    static final String UPDATED = "u";
    static final String CREATED = "c";
    static final String DELETED = "x";

    private static final String BUCKET = "b";
    private static final String PARENT = "p";

    private Pipelines() {
    }

    /**
     * One digest document per id bucket of {@code size}: {@code {_id: bucket, n: records, h: sum of record hashes}}.
     * The record hash mixes id, version ({@code updated_at}, else {@code created_at}), {@code created_at} and
     * {@code is_deleted} non-linearly, so that two records trading versions change the sum too.
     *
     * @param bounds  [lo, hi) of ids to digest, or null for the whole collection
     * @param parents the buckets of {@code parentSize} to keep within the bounds, or null for all of them
     */
    static List<Document> digest(long size, long[] bounds, long parentSize, List<Long> parents) {
        List<Document> pipeline = new ArrayList<>();
        if (bounds != null) {
            pipeline.add(idBounds(bounds[0], bounds[1]));
        }
        Document project = new Document("_id", 0).append(BUCKET, bucket(size)).append(HASH, recordHash());
        if (parents != null) {
            project.append(PARENT, bucket(parentSize));
        }
        pipeline.add(new Document("$project", project));
        if (parents != null) {
            pipeline.add(new Document("$match", new Document(PARENT, new Document("$in", parents))));
        }
        pipeline.add(new Document("$group", new Document("_id", "$" + BUCKET)
                .append(COUNT, new Document("$sum", 1)).append(HASH, new Document("$sum", "$" + HASH))));
        return pipeline;
    }

    /**
     * The fields the comparison needs of every record with an id in [lo, hi), under short names
     * ({@code i}, {@code u}, {@code c}, {@code x}): about 45 bytes a record.
     *
     * @param buckets the buckets of {@code bucketSize} to keep within the bounds, or null for all of them
     */
    static List<Document> detail(long lo, long hi, long bucketSize, List<Long> buckets) {
        List<Document> pipeline = new ArrayList<>();
        pipeline.add(idBounds(lo, hi));
        Document project = new Document("_id", 0).append(ID, "$" + ImageRecordCodec.ID)
                .append(UPDATED, "$" + ImageRecordCodec.UPDATED_AT).append(CREATED, "$" + ImageRecordCodec.CREATED_AT)
                .append(DELETED, "$" + ImageRecordCodec.IS_DELETED);
        if (buckets != null) {
            project.append(BUCKET, bucket(bucketSize));
        }
        pipeline.add(new Document("$project", project));
        if (buckets != null) {
            pipeline.add(new Document("$match", new Document(BUCKET, new Document("$in", buckets))));
            pipeline.add(new Document("$project", new Document(BUCKET, 0)));
        }
        return pipeline;
    }

    /** An id range first: MongoDB answers it from the unique id index. */
    private static Document idBounds(long lo, long hi) {
        return new Document("$match", new Document(ImageRecordCodec.ID, new Document("$gte", lo).append("$lt", hi)));
    }

    /** floor(id / size) as a long: compared with the long bucket numbers of an $in, whatever the server's number types. */
    private static Document bucket(long size) {
        return new Document("$toLong", new Document("$floor", new Document("$divide", List.of("$" + ImageRecordCodec.ID, size))));
    }

    private static Document recordHash() {
        Document version = millis(new Document("$ifNull", List.of("$" + ImageRecordCodec.UPDATED_AT, "$" + ImageRecordCodec.CREATED_AT)));
        Document created = millis("$" + ImageRecordCodec.CREATED_AT);
        Document mixed = new Document("$multiply", List.of(plusOne(mod(version)), plusOne(mod("$" + ImageRecordCodec.ID))));
        Document deleted = new Document("$cond", List.of(new Document("$eq", List.of("$" + ImageRecordCodec.IS_DELETED, true)), 3, 0));
        Document sum = new Document("$add", List.of(mixed, new Document("$multiply", List.of(mod(created), 7)), deleted));
        return new Document("$mod", List.of(sum, MODULUS));
    }

    /** Epoch milliseconds, 0 for a missing date. */
    private static Document millis(Object date) {
        return new Document("$ifNull", List.of(new Document("$toLong", date), 0L));
    }

    private static Document mod(Object value) {
        return new Document("$mod", List.of(value, MIXER));
    }

    private static Document plusOne(Object value) {
        return new Document("$add", List.of(value, 1));
    }
}
