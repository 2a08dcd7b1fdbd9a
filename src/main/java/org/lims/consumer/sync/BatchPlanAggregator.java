package org.lims.consumer.sync;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The splitter's aggregation strategy (bean {@code batchPlanAggregator}): gathers each record's
 * outcome, a {@link WriteIntent} or a dead-letter, into one {@link BatchPlan}, and remembers the
 * last offset of every partition, dead-lettered records included, so that they are committed too.
 * Per record it only counts; the metrics read the plan once the batch is done.
 */
public class BatchPlanAggregator implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange != null ? oldExchange : newExchange;
        BatchPlan plan = oldExchange != null ? oldExchange.getMessage().getBody(BatchPlan.class) : new BatchPlan();
        var in = newExchange.getMessage();
        Object body = in.getBody();
        long size = 0;
        boolean deadLettered = false;
        if (body instanceof WriteIntent intent) {
            plan.add(intent);
            size = intent.source().sizeBytes();
        } else if (newExchange.getVariable(DeadLetters.DEAD_LETTERED_SIZE) != null) {
            deadLettered = true;
            size = newExchange.getVariable(DeadLetters.DEAD_LETTERED_SIZE, Long.class);
        } else if (newExchange.getException() != null) {
            // a record failed in a way that is neither a write nor a dead-letter: fail the batch so nothing is committed
            result.setException(newExchange.getException());
        }
        plan.track(in.getHeader(KafkaConstants.TOPIC, String.class), in.getHeader(KafkaConstants.PARTITION, Integer.class),
                in.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class), size, deadLettered);
        result.getMessage().setBody(plan);
        return result;
    }
}
