package org.lims.consumer.api;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.bson.Document;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.sync.BatchPlan;
import org.lims.consumer.sync.Operation;
import org.lims.consumer.sync.SyncRecord;
import org.lims.consumer.sync.WriteIntent;

/**
 * Bean {@code imageWrites}: the REST writes (create, update, soft delete) as write intents sent to
 * {@code direct:apply-request}, the entry the Kafka path shares: the same stale guard, the same
 * single-writer bulk write, the same metrics. There is no second MongoDB write path.
 *
 * <p>Each write reads what it builds on (the stored record, or for a create the highest id of the
 * plant) through the {@code api-*} read routes and then applies its intent while holding the
 * plant's lock, so two REST writes of one plant never interleave between that read and the write:
 * two concurrent creates get distinct, consecutive ids. The lock is per process: the REST writes of
 * several replicas, or a Kafka create racing a REST create, are not serialized (the consumer
 * database is a replica of the producer side; {@code lims.api.read-only} is true in production).
 */
public class ImageWrites {

    public static final String REST_TOPIC = "rest";
    private static final long LOCK_TIMEOUT_SECONDS = 30;

    private final CamelContext context;
    private final boolean readOnly;
    private final ImageResponses responses;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private volatile ProducerTemplate template;

    public ImageWrites(CamelContext context, boolean readOnly, ImageResponses responses) {
        this.context = context;
        this.readOnly = readOnly;
        this.responses = responses;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    /** First step of every write route: 405 when the API is read-only. */
    public void requireWritable() {
        if (readOnly) {
            throw new ApiException(405, "The API is read-only (lims.api.read-only=true): the consumer database is a "
                    + "replica of the LIMS producer database, write through the Image API");
        }
    }

    /** The next id of the plant (highest id, soft-deleted included, plus one), {@code data} copied from its newest image. */
    public Document create(ImageCreate request) {
        return locked(request.collection(), () -> {
            Document highest = latest(request.collection(), new Document());
            Document withData = latest(request.collection(), new Document(ImageRecordCodec.DATA, new Document("$ne", null)));
            if (highest == null || withData == null) {
                throw ApiException.notFound("No image of plant " + request.plant()
                        + " to take data from: create needs at least one existing image");
            }
            long next = ((Number) highest.get(ImageRecordCodec.ID)).longValue() + 1;
            Number id = Ids.narrow(next);
            Date now = new Date();
            Document doc = new Document(ImageRecordCodec.ID, id)
                    .append(ImageRecordCodec.CAMERA_ID, request.cameraId())
                    .append(ImageRecordCodec.DATA, withData.get(ImageRecordCodec.DATA))
                    .append(ImageRecordCodec.GPS, request.gpsCoordinates())
                    .append(ImageRecordCodec.CREATED_AT, now)
                    .append(ImageRecordCodec.UPDATED_AT, now)
                    .append(ImageRecordCodec.IS_ACTIVE, Boolean.FALSE)
                    .append(ImageRecordCodec.IS_DELETED, Boolean.FALSE)
                    .append(ImageRecordCodec.DISEASE, null)
                    .append(ImageRecordCodec.PERCENTAGE, null);
            apply(request.plant(), request.collection(), id, Operation.UPSERT, doc, now);
            return doc;
        });
    }

    /** The stored record with the given fields changed and {@code updated_at} now. */
    public Document update(ImageUpdate request) {
        return locked(request.collection(), () -> {
            Document stored = stored(request.ref());
            Document doc = new Document(stored);
            doc.remove("_id");
            doc.putAll(request.changes());
            Date version = nextVersion(stored);
            doc.put(ImageRecordCodec.UPDATED_AT, version);
            apply(request.plant(), request.collection(), request.id(), Operation.UPSERT, doc, version);
            return doc;
        });
    }

    /** Soft delete, as every LIMS delete: {@code is_deleted} true, {@code updated_at} now; the record stays. */
    public Document softDelete(ImageRef ref) {
        return locked(ref.collection(), () -> {
            Document stored = stored(ref);
            Document doc = new Document(stored);
            doc.remove("_id");
            doc.put(ImageRecordCodec.IS_DELETED, Boolean.TRUE);
            Date version = nextVersion(stored);
            doc.put(ImageRecordCodec.UPDATED_AT, version);
            apply(ref.plant(), ref.collection(), ref.id(), Operation.SOFT_DELETE, doc, version);
            return doc;
        });
    }

    /**
     * Now, or just after the stored version when that is not older (two writes in one millisecond,
     * or a clock behind the producer's): a REST write is always newer than what it was built on.
     */
    private static Date nextVersion(Document stored) {
        Date now = new Date();
        Date current = ImageRecordCodec.version(stored);
        return current != null && !now.after(current) ? new Date(current.getTime() + 1) : now;
    }

    private void apply(String plant, String collection, Number id, Operation operation, Document doc, Date version) {
        byte[] raw = responses.write(responses.record(doc)).getBytes(StandardCharsets.UTF_8);
        SyncRecord source = new SyncRecord(plant, REST_TOPIC, -1, -1, System.currentTimeMillis(), String.valueOf(id), raw,
                new ImageRecord(doc, id, version, null), operation);
        WriteIntent intent = new WriteIntent(collection, id, operation, doc, version, source);
        BatchPlan plan = call("direct:apply-request", intent, null, BatchPlan.class);
        if (plan == null || plan.written() != 1) {
            throw new ApiException(409, "Image with id " + id + " was changed concurrently, try again");
        }
    }

    private Document stored(ImageRef ref) {
        Document stored = call("direct:api-find-image", ref.query(), ref.collection(), Document.class);
        if (stored == null) {
            throw ApiException.imageNotFound(ref.id());
        }
        return stored;
    }

    private Document latest(String collection, Document query) {
        Map<String, Object> headers = Map.of(MongoDbConstants.COLLECTION, collection,
                MongoDbConstants.SORT_BY, new Document(ImageRecordCodec.ID, -1), MongoDbConstants.LIMIT, 1);
        List<?> found;
        try {
            found = template().requestBodyAndHeaders("direct:api-latest-image", query, headers, List.class);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return found == null || found.isEmpty() ? null : (Document) found.get(0);
    }

    private <T> T call(String uri, Object body, String collection, Class<T> type) {
        try {
            return collection == null
                    ? template().requestBody(uri, body, type)
                    : template().requestBodyAndHeader(uri, body, MongoDbConstants.COLLECTION, collection, type);
        } catch (CamelExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = context.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }

    private <T> T locked(String collection, java.util.function.Supplier<T> write) {
        ReentrantLock lock = locks.computeIfAbsent(collection, c -> new ReentrantLock(true));
        try {
            if (!lock.tryLock(LOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new ApiException(503, "Too many concurrent writes, try again later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "Interrupted while waiting for the write lock");
        }
        try {
            return write.get();
        } finally {
            lock.unlock();
        }
    }
}
