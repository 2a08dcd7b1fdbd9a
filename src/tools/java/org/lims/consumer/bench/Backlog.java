package org.lims.consumer.bench;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Pre-produces a benchmark backlog: every message of the workload, acknowledged by the broker, before any consumer starts. */
final class Backlog {

    private Backlog() {
    }

    /** Sends {@code messages} messages of {@code workload} to the plant topics; returns the seconds it took. */
    static double produce(String brokers, Workload workload, int messages) {
        AtomicLong failures = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(brokers))) {
            for (int i = 0; i < messages; i++) {
                Workload.Message m = workload.next();
                producer.send(new ProducerRecord<>(m.topic(), m.key(), m.value()), (md, e) -> {
                    if (e != null) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " messages were not produced", firstFailure.get());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A producer for 33 KB messages, batching what it can (a send followed by a flush goes out at once). */
    static Properties producerProperties(String brokers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return p;
    }
}
