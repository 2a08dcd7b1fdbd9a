package org.lims.consumer.sync;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.config.Plants;
import org.lims.consumer.codec.InvalidRecordException;
import org.lims.consumer.codec.RejectionReason;

/**
 * Turns one Kafka message into a {@link SyncRecord} and classifies its operation, exposing the
 * routing keys as exchange variables ({@value #PLANT}, {@value #OPERATION}) for the content-based
 * router in {@code sync.camel.yaml}.
 *
 * <p>Operation rules (LIMS contract): an explicit operation, from the Kafka header
 * {@code operation} or the JSON field {@code operation}, wins; {@code delete} is a soft delete.
 * Otherwise a tombstone is a hard delete, {@code is_deleted: true} a soft delete, anything else an upsert.
 */
public class RecordDecoder {

    public static final String PLANT = Plants.PLANT_VARIABLE;
    public static final String OPERATION = "operation";
    public static final String EXPLICIT_OPERATION_HEADER = "operation";

    private final ImageRecordCodec codec;
    private final Plants plants;

    public RecordDecoder(ImageRecordCodec codec, Plants plants) {
        this.codec = codec;
        this.plants = plants;
    }

    public SyncRecord decode(Exchange exchange) {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        // the sync consumer's records arrive as views of the fetched bytes (ByteBufferDeserializer)
        ByteBuffer value = body instanceof ByteBuffer view ? view : wrap(body instanceof byte[] b ? b : in.getBody(byte[].class));
        String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
        String key = keyOf(in.getHeader(KafkaConstants.KEY));
        ImageRecord record = codec.decode(value, key);
        Operation operation = classify(record, headerOperation(in));
        SyncRecord sync = new SyncRecord(plants.plantOf(topic), topic,
                in.getHeader(KafkaConstants.PARTITION, -1, Integer.class),
                in.getHeader(KafkaConstants.OFFSET, -1L, Long.class),
                in.getHeader(KafkaConstants.TIMESTAMP, 0L, Long.class),
                key, value, record, operation, in.getHeaders());
        exchange.setVariable(PLANT, sync.plant());
        exchange.setVariable(OPERATION, operation.routeName());
        return sync;
    }

    static Operation classify(ImageRecord record, String headerOperation) {
        String explicit = headerOperation != null ? headerOperation : record.explicitOperation();
        if (explicit != null) {
            return "delete".equals(explicit) ? Operation.SOFT_DELETE : Operation.UPSERT;
        }
        if (record.isTombstone()) {
            return Operation.HARD_DELETE;
        }
        return record.isMarkedDeleted() ? Operation.SOFT_DELETE : Operation.UPSERT;
    }

    private static String headerOperation(Message in) {
        Object raw = in.getHeader(EXPLICIT_OPERATION_HEADER);
        if (raw == null) {
            return null;
        }
        String op = (raw instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : raw.toString())
                .trim().toLowerCase(java.util.Locale.ROOT);
        if (!ImageRecordCodec.OPERATIONS.contains(op)) {
            throw new InvalidRecordException(RejectionReason.INVALID_OPERATION,
                    "header 'operation' must be one of create, update, delete, got '" + (op.length() > 40 ? op.substring(0, 40) : op) + "'");
        }
        return op;
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    private static String keyOf(Object key) {
        if (key == null) {
            return null;
        }
        return key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : key.toString();
    }
}
