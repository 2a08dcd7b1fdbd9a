package org.lims.consumer.sync;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Bean {@code kafkaBatch}: the records of a camel-kafka batch as messages, so the splitter keeps their headers. */
public class KafkaBatch {

    public List<Message> records(List<Exchange> batch) {
        List<Message> messages = new ArrayList<>(batch.size());
        for (Exchange exchange : batch) {
            messages.add(exchange.getMessage());
        }
        return messages;
    }
}
