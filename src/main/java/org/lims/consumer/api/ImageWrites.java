package org.lims.consumer.api;

import java.util.Date;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.bson.Document;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.sync.BatchPlan;
import org.lims.consumer.sync.CollectionWrites.RequestOutcome;
import org.lims.consumer.sync.Operation;
import org.lims.consumer.sync.SyncRecord;
import org.lims.consumer.sync.WriteIntent;

/**
 * Bean {@code imageWrites}: what the REST write routes ({@code rest-writes.camel.yaml}) need code
 * for. The routes read what a write builds on, apply it through {@code direct:apply-request} and
 * answer; this bean builds the record of a create, update or soft delete as a write intent, and
 * reads the outcome of its apply.
 */
public class ImageWrites {

    /** The source a REST write's intent names in place of a Kafka topic. */
    public static final String REST_TOPIC = "rest";
    private static final Document NEWEST_FIRST = new Document(ImageRecordCodec.ID, -1);
    private static final Document ID_ONLY = new Document(ImageRecordCodec.ID, 1).append("_id", 0);

    private final boolean readOnly;
    private final int createAttempts;

    public ImageWrites(boolean readOnly, int createAttempts) {
        this.readOnly = readOnly;
        this.createAttempts = createAttempts;
    }

    /** First step of every write route: 405 when the API is read-only. */
    public void requireWritable() {
        if (readOnly) {
            throw new ApiException(405, "The API is read-only (lims.api.read-only=true): the consumer database is a "
                    + "replica of the LIMS producer database, write through the Image API");
        }
    }

    /** Sort order of the reads a create builds on: highest id first. */
    public Document newestFirst() {
        return NEWEST_FIRST;
    }

    /** Projection of the highest-id read: the id alone, not the image. */
    public Document idOnly() {
        return ID_ONLY;
    }

    /** The images a create can copy {@code data} from. */
    public Document withData() {
        return new Document(ImageRecordCodec.DATA, new Document("$ne", null));
    }

    /** Every image, soft-deleted ones included: the highest id among them is taken. */
    public Document anyImage() {
        return new Document();
    }

    /** The {@code data} of the plant's newest image that has one; none: 404, a create needs one to copy. */
    public Object dataToCopy(@Body List<Document> newest, @Variable("request") ImageCreate request) {
        if (newest == null || newest.isEmpty()) {
            throw ApiException.notFound("No image of plant " + request.plant()
                    + " to take data from: create needs at least one existing image");
        }
        return newest.get(0).get(ImageRecordCodec.DATA);
    }

    /**
     * The new record: the id after the highest stored one (soft-deleted included), created_at and
     * updated_at now (UTC), inactive, unclassified. An insert: the unique id index refuses it when
     * another writer took the id meanwhile, and the route tries again, {@code lims.api.create-attempts}
     * times in all; then 409.
     */
    public WriteIntent newImage(@Body List<Document> highest, @Variable("request") ImageCreate request,
                                @Variable("data") Object data, @ExchangeProperty(Exchange.LOOP_INDEX) int attempt) {
        if (attempt >= createAttempts) {
            throw new ApiException(409, "No free id for a new image of plant " + request.plant() + " after " + createAttempts
                    + " attempts: other writers took each one (lims.api.create-attempts), try again");
        }
        long top = highest == null || highest.isEmpty() ? 0 : ((Number) highest.get(0).get(ImageRecordCodec.ID)).longValue();
        Number id = Ids.narrow(top + 1);
        Date now = new Date();
        Document doc = new Document(ImageRecordCodec.ID, id)
                .append(ImageRecordCodec.CAMERA_ID, request.cameraId())
                .append(ImageRecordCodec.DATA, data)
                .append(ImageRecordCodec.GPS, request.gpsCoordinates())
                .append(ImageRecordCodec.CREATED_AT, now)
                .append(ImageRecordCodec.UPDATED_AT, now)
                .append(ImageRecordCodec.IS_ACTIVE, Boolean.FALSE)
                .append(ImageRecordCodec.IS_DELETED, Boolean.FALSE)
                .append(ImageRecordCodec.DISEASE, null)
                .append(ImageRecordCodec.PERCENTAGE, null);
        return intent(request.plant(), request.collection(), Operation.INSERT, doc, now);
    }

    /** The created record, or null when another writer took its id meanwhile (the route tries the next). */
    public Document created(@Body BatchPlan plan, @Variable("intent") WriteIntent intent) {
        return plan.outcome() == RequestOutcome.ID_TAKEN ? null : applied(plan, intent);
    }

    /** The stored record with the request's fields changed and {@code updated_at} now. */
    public WriteIntent updated(@Body Document stored, @Variable("request") ImageUpdate request) {
        Document doc = copy(stored);
        doc.putAll(request.changes());
        Date version = nextVersion(stored);
        doc.put(ImageRecordCodec.UPDATED_AT, version);
        return intent(request.plant(), request.collection(), Operation.UPSERT, doc, version);
    }

    /** Soft delete, as every LIMS delete: {@code is_deleted} true, {@code updated_at} now; the record stays. */
    public WriteIntent softDeleted(@Body Document stored, @Variable("request") ImageRef request) {
        Document doc = copy(stored);
        doc.put(ImageRecordCodec.IS_DELETED, Boolean.TRUE);
        Date version = nextVersion(stored);
        doc.put(ImageRecordCodec.UPDATED_AT, version);
        return intent(request.plant(), request.collection(), Operation.SOFT_DELETE, doc, version);
    }

    /** The record as written; 409 when a newer version (from Kafka) was stored between the read and the apply. */
    public Document applied(@Body BatchPlan plan, @Variable("intent") WriteIntent intent) {
        if (plan.outcome() != RequestOutcome.WRITTEN) {
            throw new ApiException(409, "Image with id " + intent.id() + " was changed concurrently, try again");
        }
        return intent.document();
    }

    private static Document copy(Document stored) {
        Document doc = new Document(stored);
        doc.remove("_id");
        return doc;
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

    private static WriteIntent intent(String plant, String collection, Operation operation, Document doc, Date version) {
        Number id = (Number) doc.get(ImageRecordCodec.ID);
        // no Kafka coordinates, no raw value: a REST write is answered to its client, never dead-lettered
        SyncRecord source = new SyncRecord(plant, REST_TOPIC, -1, -1, 0, String.valueOf(id), null,
                new ImageRecord(doc, id, version, null), operation);
        return new WriteIntent(collection, id, operation, doc, version, source);
    }
}
