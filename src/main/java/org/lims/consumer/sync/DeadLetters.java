package org.lims.consumer.sync;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.lims.consumer.codec.InvalidRecordException;
import org.lims.consumer.codec.RejectionReason;

/**
 * Prepares dead-letter messages (bean {@code deadLetters}): the original key, value and headers,
 * plus headers that say why and where from. Consumers of the dead-letter topic need nothing else
 * to diagnose or replay a record.
 */
public class DeadLetters {

    public static final String REASON = "lims.dlq.reason";
    public static final String ERROR = "lims.dlq.error";
    public static final String EXCEPTION = "lims.dlq.exception";
    public static final String SOURCE_TOPIC = "lims.dlq.topic";
    public static final String SOURCE_PARTITION = "lims.dlq.partition";
    public static final String SOURCE_OFFSET = "lims.dlq.offset";
    /** How often the record has been dead-lettered: 1 the first time, one more each time a replay fails again. */
    public static final String ATTEMPTS = "lims.dlq.attempts";
    /** The headers this class adds; a replay removes them (all but {@link #ATTEMPTS}) to restore the original record. */
    public static final List<String> DESCRIPTION_HEADERS = List.of(REASON, ERROR, EXCEPTION, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET);

    public static final String UNEXPECTED_ERROR = "unexpected-error";
    public static final String MONGO_REJECTED = "mongo-rejected-";
    /**
     * The MongoDB rejections a stale-guarded replace-by-id can meet: a duplicate key on another unique
     * index (11000) and a collection validator refusing the document (121). Other codes get their own
     * reason when they happen; these are known in advance so that their series exist from start-up.
     */
    private static final List<Integer> EXPECTED_MONGO_CODES = List.of(11000, 121);
    /** Set on a record's exchange once it is dead-lettered: its size, for the batch's byte count. */
    public static final String DEAD_LETTERED_SIZE = "deadLetteredSize";

    /** For a record that failed before reaching MongoDB: the exception says why. */
    public void prepare(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message in = exchange.getMessage();
        Object body = in.getBody();
        byte[] original = body instanceof SyncRecord sync ? bytes(sync.rawValue())
                : body instanceof byte[] b ? b : body instanceof ByteBuffer view ? bytes(view) : null;
        String reason = cause instanceof InvalidRecordException invalid ? invalid.reason() : UNEXPECTED_ERROR;
        long size = describe(in, original, reason, cause == null ? "unknown" : cause.getMessage(),
                cause == null ? "" : cause.getClass().getName(),
                in.getHeader(KafkaConstants.TOPIC, String.class),
                in.getHeader(KafkaConstants.PARTITION, -1, Integer.class),
                in.getHeader(KafkaConstants.OFFSET, -1L, Long.class));
        exchange.setVariable(DEAD_LETTERED_SIZE, size);
    }

    /**
     * For writes MongoDB rejected for good (not a connectivity problem): one message per rejected record,
     * with the record's original headers; the rejected writes are marked so that they count as dead-lettered.
     * An insert that lost the race for its id to another writer and was written again since is no rejection.
     */
    public List<Message> rejectedWrites(Exchange exchange, Throwable refusal, CollectionWrites writes) {
        MongoBulkWriteException bulk = findBulkException(refusal);
        List<Message> messages = new ArrayList<>();
        if (bulk == null) {
            return messages;
        }
        for (BulkWriteError error : bulk.getWriteErrors()) {
            if (writes.wasRewritten(error)) {
                continue;
            }
            writes.markRejected(error.getIndex());
            SyncRecord source = writes.sourceOf(error.getIndex()).source();
            Message m = new DefaultMessage(exchange.getContext());
            m.setHeaders(new java.util.HashMap<>(source.headers()));
            if (source.key() != null) {
                m.setHeader(KafkaConstants.KEY, source.key());
            }
            describe(m, bytes(source.rawValue()), MONGO_REJECTED + error.getCode(), error.getMessage(),
                    MongoBulkWriteException.class.getName(), source.topic(), source.partition(), source.offset());
            messages.add(m);
        }
        return messages;
    }

    /** Every reason known before it happens: the codec's and the router's, an unexpected error, the expected MongoDB rejections. */
    public static List<String> knownReasons() {
        List<String> reasons = new ArrayList<>();
        for (RejectionReason r : RejectionReason.values()) {
            reasons.add(r.code());
        }
        reasons.add(UNEXPECTED_ERROR);
        for (int code : EXPECTED_MONGO_CODES) {
            reasons.add(MONGO_REJECTED + code);
        }
        return reasons;
    }

    /** The attempts an earlier dead letter of this record recorded (0 for a record never dead-lettered). */
    public static int attempts(Message m) {
        String text = headerText(m, ATTEMPTS);
        try {
            return text == null ? 0 : Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A header as text: read back from Kafka, the lims.dlq.* headers are bytes. */
    static String headerText(Message m, String name) {
        Object raw = m.getHeader(name);
        return raw instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : raw == null ? null : raw.toString();
    }

    /** A dead letter's value: the record's bytes as they arrived, copied out of the fetched bytes. */
    private static byte[] bytes(ByteBuffer view) {
        if (view == null) {
            return null;
        }
        byte[] copy = new byte[view.remaining()];
        view.duplicate().get(copy);
        return copy;
    }

    public static MongoBulkWriteException findBulkException(Throwable t) {
        while (t != null) {
            if (t instanceof MongoBulkWriteException bulk) {
                return bulk;
            }
            t = t.getCause();
        }
        return null;
    }

    /** True when MongoDB rejected individual documents (permanent); false for write-concern or connectivity errors (retried). */
    public static boolean isPermanentRejection(Throwable t) {
        MongoBulkWriteException bulk = findBulkException(t);
        return bulk != null && bulk.getWriteConcernError() == null && !bulk.getWriteErrors().isEmpty();
    }

    private static long describe(Message m, byte[] value, String reason, String error, String exception,
                                 String topic, int partition, long offset) {
        m.setBody(value);
        m.setHeader(REASON, reason);
        m.setHeader(ERROR, error == null ? "" : error.length() > 500 ? error.substring(0, 500) : error);
        m.setHeader(EXCEPTION, exception);
        m.setHeader(SOURCE_TOPIC, topic == null ? "" : topic);
        m.setHeader(SOURCE_PARTITION, String.valueOf(partition));
        m.setHeader(SOURCE_OFFSET, String.valueOf(offset));
        m.setHeader(ATTEMPTS, String.valueOf(attempts(m) + 1));
        Object key = m.getHeader(KafkaConstants.KEY);
        // the same measure as SyncRecord.sizeBytes: key plus value, what the message cost on the wire
        return (long) (value == null ? 0 : value.length) + (key == null ? 0 : key.toString().length());
    }
}
