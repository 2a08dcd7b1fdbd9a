package org.lims.consumer.dev.sim;

/**
 * One change the Image API made and published: what the consumer databases must come to reflect.
 *
 * @param seq          sequence number (1, 2, ...) within the run
 * @param kind         the LIMS job that made it (camera, recognizer, toggle-active, edit-metadata, soft-delete, seed)
 * @param plant        potato, tomato or pepper
 * @param id           the record id
 * @param versionMs    the record's new version ({@code updated_at}, or {@code created_at} for a create), epoch ms
 * @param simMs        simulated time of the change, ms since the simulation started (negative for seed records)
 * @param wallNanos    {@link System#nanoTime()} when the message was handed to the Kafka producer
 * @param messageBytes Kafka message size, key plus value
 * @param lost         the Image API lost the publish (a fault the simulator injects): the change is in the producer database only
 */
public record Change(long seq, String kind, String plant, int id, long versionMs, long simMs, long wallNanos, int messageBytes,
                     boolean lost) {

    public Change(long seq, String kind, String plant, int id, long versionMs, long simMs, long wallNanos, int messageBytes) {
        this(seq, kind, plant, id, versionMs, simMs, wallNanos, messageBytes, false);
    }
}
