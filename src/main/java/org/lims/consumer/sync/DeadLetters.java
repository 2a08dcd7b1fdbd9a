package org.lims.consumer.sync;

import java.util.ArrayList;
import java.util.List;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.lims.consumer.codec.InvalidRecordException;

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
    /** Set on a record's exchange once it is dead-lettered: its size, for the batch's byte count. */
    public static final String DEAD_LETTERED_SIZE = "deadLetteredSize";

    /** For a record that failed before reaching MongoDB: the exception says why. */
    public void prepare(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message in = exchange.getMessage();
        Object body = in.getBody();
        byte[] original = body instanceof SyncRecord sync ? sync.rawValue() : body instanceof byte[] b ? b : null;
        String reason = cause instanceof InvalidRecordException invalid ? invalid.reason() : "unexpected-error";
        long size = describe(in, original, reason, cause == null ? "unknown" : cause.getMessage(),
                cause == null ? "" : cause.getClass().getName(),
                in.getHeader(KafkaConstants.TOPIC, String.class),
                in.getHeader(KafkaConstants.PARTITION, -1, Integer.class),
                in.getHeader(KafkaConstants.OFFSET, -1L, Long.class));
        exchange.setVariable(DEAD_LETTERED_SIZE, size);
    }

    /**
     * For writes MongoDB rejected for good (not a connectivity problem): one message per rejected record.
     * An insert that lost the race for its id to another writer is no rejection: it is retried, not dead-lettered.
     */
    public List<Message> rejectedWrites(Exchange exchange, CollectionWrites writes) {
        MongoBulkWriteException bulk = findBulkException(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        List<Message> messages = new ArrayList<>();
        if (bulk == null) {
            return messages;
        }
        for (BulkWriteError error : bulk.getWriteErrors()) {
            if (writes.isLostInsert(error)) {
                continue;
            }
            SyncRecord source = writes.sourceOf(error.getIndex()).source();
            Message m = new DefaultMessage(exchange.getContext());
            if (source.key() != null) {
                m.setHeader(KafkaConstants.KEY, source.key());
            }
            describe(m, source.rawValue(), "mongo-rejected-" + error.getCode(), error.getMessage(),
                    MongoBulkWriteException.class.getName(), source.topic(), source.partition(), source.offset());
            messages.add(m);
        }
        return messages;
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
        Object key = m.getHeader(KafkaConstants.KEY);
        // the same measure as SyncRecord.sizeBytes: key plus value, what the message cost on the wire
        return (long) (value == null ? 0 : value.length) + (key == null ? 0 : key.toString().length());
    }
}
