package org.lims.consumer.sync;

import org.lims.consumer.codec.ImageRecord;

/**
 * A Kafka record once decoded: where it came from, what it holds and what it asks for.
 * {@code rawValue} is kept so that a record rejected later (by MongoDB) can still be dead-lettered
 * exactly as it arrived.
 */
public record SyncRecord(String plant, String topic, int partition, long offset, long kafkaTimestamp,
                         String key, byte[] rawValue, ImageRecord record, Operation operation) {

    /** The topic of a repair that reconciliation read from the producer database (not a Kafka record). */
    public static final String RECONCILE_TOPIC = "reconcile";

    public boolean isRepair() {
        return RECONCILE_TOPIC.equals(topic);
    }

    /** Key bytes plus value bytes: what the message cost on the wire (the counterpart of image_api_image_size). */
    public long sizeBytes() {
        return (rawValue == null ? 0 : rawValue.length) + (key == null ? 0 : key.length());
    }
}
