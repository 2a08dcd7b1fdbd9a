package org.lims.consumer.testinfra;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import static org.awaitility.Awaitility.await;

/** Reads everything the app dead-lettered in a test scope. */
public final class DeadLetterTopic implements AutoCloseable {

    /** A dead-lettered message: original key and value, and all headers as strings. */
    public record Letter(String key, byte[] value, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Letter> letters = new ArrayList<>();

    public DeadLetterTopic(TestScope scope) {
        this(scope, LimsInfrastructure.brokers());
    }

    /** On another broker than the suite's (the secured-transport tests' own). */
    public DeadLetterTopic(TestScope scope, String brokers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, scope.group() + "-dlq-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(scope.dlqTopic()));
    }

    public List<Letter> awaitLetters(int expected, Duration timeout) {
        await("dead letters: " + expected).atMost(timeout).until(() -> {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Map<String, String> headers = new HashMap<>();
                for (Header h : r.headers()) {
                    headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                }
                letters.add(new Letter(r.key(), r.value(), headers));
            }
            return letters.size() >= expected;
        });
        return letters;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
