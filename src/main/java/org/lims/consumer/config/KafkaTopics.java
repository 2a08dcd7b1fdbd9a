package org.lims.consumer.config;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bean {@code kafkaTopics}: creates the dead-letter topic at start-up when it is missing. */
public class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);
    /** Poison messages can be large (an oversized image is one kind of poison): let the DLQ take them. */
    private static final String MAX_MESSAGE_BYTES = String.valueOf(16 * 1024 * 1024);

    private final Map<String, Object> adminConfig;
    private final String deadLetterTopic;

    public KafkaTopics(Map<String, Object> adminConfig, String deadLetterTopic) {
        this.adminConfig = adminConfig;
        this.deadLetterTopic = deadLetterTopic;
    }

    public void ensureDeadLetterTopic() throws Exception {
        try (Admin admin = Admin.create(adminConfig)) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(deadLetterTopic)) {
                return;
            }
            NewTopic topic = new NewTopic(deadLetterTopic, java.util.Optional.of(1), java.util.Optional.empty()).configs(Map.of("max.message.bytes", MAX_MESSAGE_BYTES));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.info("Created dead-letter topic {}", deadLetterTopic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
