package org.lims.consumer.sync;

import java.nio.ByteBuffer;
import java.util.Map;

import org.lims.consumer.codec.ImageRecord;

/**
 * A Kafka record once decoded: where it came from, what it holds and what it asks for.
 * {@code rawValue} and {@code headers} (the message's own map, not a copy) are kept so that a
 * record rejected later (by MongoDB) can still be dead-lettered exactly as it arrived; {@code rawValue} is
 * the consumer's view of the fetched bytes (never read through its position, never copied but for a dead letter).
 */
public record SyncRecord(String plant, String topic, int partition, long offset, long kafkaTimestamp,
                         String key, ByteBuffer rawValue, ImageRecord record, Operation operation, Map<String, Object> headers) {

    /** A record that did not come from Kafka (a REST write): no headers. */
    public SyncRecord(String plant, String topic, int partition, long offset, long kafkaTimestamp,
                      String key, ByteBuffer rawValue, ImageRecord record, Operation operation) {
        this(plant, topic, partition, offset, kafkaTimestamp, key, rawValue, record, operation, Map.of());
    }

    /** The topic of a repair that reconciliation read from the producer database (not a Kafka record). */
    public static final String RECONCILE_TOPIC = "reconcile";

    public boolean isRepair() {
        return RECONCILE_TOPIC.equals(topic);
    }

    /** Key bytes plus value bytes: what the message cost on the wire (the counterpart of image_api_image_size). */
    public long sizeBytes() {
        return (rawValue == null ? 0 : rawValue.remaining()) + (key == null ? 0 : key.length());
    }

    /** True for a record re-driven from the dead-letter topic: it carries the attempts of its earlier dead letters. */
    public boolean isReplay() {
        return headers.containsKey(DeadLetters.ATTEMPTS);
    }
}
