package org.lims.consumer.sync;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.lims.consumer.config.Plants;
import org.lims.consumer.observe.SyncMetrics;

/**
 * The splitter's aggregation strategy (bean {@code batchPlan}): gathers each record's outcome,
 * a {@link WriteIntent} or a dead-letter, into one {@link BatchPlan}, and remembers the last
 * offset of every partition, dead-lettered records included, so that they are committed too.
 */
public class BatchPlanAggregator implements AggregationStrategy {

    private final Plants plants;
    private final SyncMetrics metrics;

    public BatchPlanAggregator(Plants plants, SyncMetrics metrics) {
        this.plants = plants;
        this.metrics = metrics;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange != null ? oldExchange : newExchange;
        BatchPlan plan = oldExchange != null ? oldExchange.getMessage().getBody(BatchPlan.class) : new BatchPlan();
        var in = newExchange.getMessage();
        Object body = in.getBody();
        long size = 0;
        if (body instanceof WriteIntent intent) {
            plan.add(intent);
            size = intent.source().sizeBytes();
        } else if (newExchange.getVariable(DeadLetters.DEAD_LETTERED_SIZE) != null) {
            plan.countDeadLetter();
            size = newExchange.getVariable(DeadLetters.DEAD_LETTERED_SIZE, Long.class);
        } else if (newExchange.getException() != null) {
            // a record failed in a way that is neither a write nor a dead-letter: fail the batch so nothing is committed
            result.setException(newExchange.getException());
        }
        String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
        plan.track(topic, in.getHeader(KafkaConstants.PARTITION, Integer.class),
                in.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class), size);
        metrics.received(plants.plantOf(topic), size);
        result.getMessage().setBody(plan);
        return result;
    }
}
