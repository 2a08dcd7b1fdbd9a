package org.lims.consumer.testinfra;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces LIMS Image API messages (the contract's JSON) to the test scope's topics. */
public final class LimsEvents implements AutoCloseable {

    public static final DateTimeFormatter LIMS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<String, byte[]> producer;
    private final TestScope scope;

    public LimsEvents(TestScope scope) {
        this(scope, LimsInfrastructure.brokers());
    }

    /** On another broker than the suite's (the secured-transport tests' own). */
    public LimsEvents(TestScope scope, String brokers) {
        this.scope = scope;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // ordered without the idempotent producer: on a loaded 2-core machine its sequence bookkeeping
        // (OUT_OF_ORDER_SEQUENCE_NUMBER retries) stalled streams; one request in flight keeps the order
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p);
    }

    /** A record as the Image API publishes it; {@code data} is hex of {@code image}. */
    public static Map<String, Object> record(long id, byte[] image, LocalDateTime created, LocalDateTime updated) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("camera_id", 1);
        r.put("data", org.lims.consumer.codec.Hex.encode(image));
        r.put("gps_coordinates", List.of(48.476563, 16.585654));
        r.put("created_at", created.format(LIMS_TIME));
        r.put("updated_at", updated == null ? null : updated.format(LIMS_TIME));
        r.put("is_active", false);
        r.put("is_deleted", false);
        r.put("disease", null);
        r.put("percentage", null);
        return r;
    }

    public static byte[] image(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = (byte) 0xff;
        bytes[1] = (byte) 0xd8;
        bytes[2] = (byte) 0xff;
        return bytes;
    }

    public static byte[] json(Map<String, Object> record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void send(String plant, Map<String, Object> record) {
        sendRaw(plant, String.valueOf(record.get("id")), json(record), Map.of());
    }

    public void sendRaw(String plant, String key, byte[] value, Map<String, String> headers) {
        sendToTopic(scope.topic(plant), key, value, headers);
    }

    public void sendToTopic(String topic, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("send to " + topic + " failed", e);
        }
    }

    /** Sends without waiting for each acknowledgement (streams); {@link #flush()} waits for all. */
    public void sendAsync(String plant, String key, byte[] value) {
        producer.send(new ProducerRecord<>(scope.topic(plant), key, value));
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    public static Map<String, Object> copy(Map<String, Object> record) {
        return new LinkedHashMap<>(record);
    }

    public static Map<String, String> headers(String... kv) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.put(kv[i], kv[i + 1]);
        }
        return h;
    }
}
