package org.lims.consumer.observe;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Bean {@code kafkaConsumerWatch}, camel-kafka's client factory: it creates the clients as usual and
 * keeps the consumer, whose own metrics (thread-safe to read, unlike the consumer itself) say how
 * many partitions it holds (readiness) and how far behind each one is
 * ({@code lims_consumer_lag_records{topic,partition}}, refreshed by the {@code observe-lag} route).
 */
public class KafkaConsumerWatch extends DefaultKafkaClientFactory {

    private final MeterRegistry registry;
    private final Map<String, Double> lag = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private final Set<String> topics;
    private volatile Consumer<?, ?> consumer;

    public KafkaConsumerWatch(MeterRegistry registry, Set<String> topics) {
        this.registry = registry;
        this.topics = topics;
    }

    @Override
    public Consumer getConsumer(Properties props) {
        Consumer<?, ?> created = super.getConsumer(props);
        consumer = created;
        return created;
    }

    /** Partitions currently assigned to this instance's consumer (0 before the first assignment). */
    public int assignedPartitions() {
        Double assigned = metric("assigned-partitions", "consumer-coordinator-metrics", Map.of());
        return assigned == null || assigned.isNaN() ? 0 : assigned.intValue();
    }

    /** Reads records-lag of every assigned partition into gauges; partitions no longer assigned disappear. */
    public void refreshLag() {
        Map<String, Double> current = new HashMap<>();
        Map<String, String[]> labels = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : metrics().entrySet()) {
            MetricName name = e.getKey();
            String partition = name.tags().get("partition");
            String topicTag = name.tags().get("topic");
            if ("records-lag".equals(name.name()) && partition != null && topicTag != null
                    && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                String topic = originalTopic(topicTag);
                current.put(topic + "/" + partition, n.doubleValue());
                labels.put(topic + "/" + partition, new String[] {topic, partition});
            }
        }
        lag.putAll(current);
        for (String key : current.keySet()) {
            String[] l = labels.get(key);
            gauges.computeIfAbsent(key, k -> Gauge.builder("lims.consumer.lag.records", lag, m -> m.getOrDefault(k, Double.NaN))
                    .description("records between the consumer's position and the end of the partition")
                    .tags("topic", l[0], "partition", l[1]).register(registry));
        }
        for (String key : Set.copyOf(gauges.keySet())) {
            if (!current.containsKey(key)) {
                registry.remove(gauges.remove(key));
                lag.remove(key);
            }
        }
    }

    /** Kafka writes '.' in topic names as '_' in metric tags. */
    private String originalTopic(String tag) {
        for (String topic : topics) {
            if (topic.equals(tag) || topic.replace('.', '_').equals(tag)) {
                return topic;
            }
        }
        return tag;
    }

    private Map<MetricName, ? extends Metric> metrics() {
        Consumer<?, ?> c = consumer;
        if (c == null) {
            return Map.of();
        }
        try {
            return c.metrics();
        } catch (RuntimeException closed) {
            return Map.of();
        }
    }

    private Double metric(String name, String group, Map<String, String> tags) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.name().equals(name) && n.group().equals(group) && n.tags().entrySet().containsAll(tags.entrySet())
                    && e.getValue().metricValue() instanceof Number v) {
                return v.doubleValue();
            }
        }
        return null;
    }
}
