package org.lims.consumer.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.sync.BatchPlan;
import org.lims.consumer.testinfra.SyncRouteFiles;

/**
 * The app's CPU per record between the Kafka poll and the bulk write, in-process and on one thread, so that a
 * change to the per-record path can be measured without the noise of a whole catch-up: the shipped sync and apply
 * route files, with the broker and MongoDB cut off (the batch goes in where the Kafka consumer hands it over, the
 * bulk write and the commit are no-ops). Reports the codec alone on the same records, so the rest is what the
 * routing costs: the split, the hops, the content-based router, the beans, the aggregation.
 *
 * <p>Run by {@code SyncBenchmark --record-pipeline} in a child JVM with the container image's flags.
 */
public final class RecordPipeline {

    private static final int BATCH = 1000;

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int imageBytes = args.length > 1 ? Integer.parseInt(args[1]) : 16 * 1024;
        Workload workload = new Workload(7, imageBytes);
        List<Workload.Message> messages = new ArrayList<>();
        for (int i = 0; i < 4 * BATCH; i++) {
            messages.add(workload.next());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CamelContext context = context();
        ProducerTemplate template = context.createProducerTemplate();
        ImageRecordCodec codec = new ImageRecordCodec();

        long first = threads.getCurrentThreadCpuTime();
        template.sendBody("direct:sync-batch-in", batch(context, messages, 0));
        long firstBatch = threads.getCurrentThreadCpuTime() - first;
        // warm-up: as long as the measured part, so that C1 has compiled what it will
        for (int b = 1; b < batches; b++) {
            template.sendBody("direct:sync-batch-in", batch(context, messages, b));
        }
        long pipeline = 0;
        long codecOnly = 0;
        long records = 0;
        for (int b = 0; b < batches; b++) {
            List<Exchange> batch = batch(context, messages, b);
            // the route's split reuses the records' messages: their values are read before it runs
            List<ByteBuffer> values = new ArrayList<>(batch.size());
            List<String> keys = new ArrayList<>(batch.size());
            for (Exchange e : batch) {
                values.add(e.getMessage().getBody(ByteBuffer.class));
                keys.add(e.getMessage().getHeader(KafkaConstants.KEY, String.class));
            }
            long t0 = threads.getCurrentThreadCpuTime();
            template.sendBody("direct:sync-batch-in", batch);
            long t1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < values.size(); i++) {
                codec.decode(values.get(i), keys.get(i));
            }
            long t2 = threads.getCurrentThreadCpuTime();
            pipeline += t1 - t0;
            codecOnly += t2 - t1;
            records += batch.size();
        }
        context.stop();
        double perRecord = pipeline / 1000.0 / records;
        double perDecode = codecOnly / 1000.0 / records;
        System.out.printf("Record pipeline, in-process, one thread (%s), %d batches of %d after as many to warm up; %.1f KB per message%n",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()), batches, BATCH,
                workload.valueBytes / 1024.0 / workload.creates / (1.0 + (double) (workload.updates + workload.softDeletes) / workload.creates));
        System.out.printf("- first batch (cold): %.0f ms CPU%n", firstBatch / 1e6);
        System.out.printf("- sync path, poll to bulk write: %.1f µs CPU per record%n", perRecord);
        System.out.printf("- of which the codec (decode alone, same records): %.1f µs%n", perDecode);
        System.out.printf("- the rest (split, hops, router, beans, aggregation): %.1f µs%n", perRecord - perDecode);
    }

    /** One poll's worth of records as camel-kafka hands them to the route: exchanges with the Kafka headers. */
    private static List<Exchange> batch(CamelContext context, List<Workload.Message> messages, int b) {
        List<Exchange> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            Workload.Message m = messages.get((b * BATCH + i) % messages.size());
            Exchange e = new DefaultExchange(context);
            e.getMessage().setHeader(KafkaConstants.TOPIC, m.topic());
            e.getMessage().setHeader(KafkaConstants.PARTITION, 0);
            e.getMessage().setHeader(KafkaConstants.OFFSET, (long) b * BATCH + i);
            e.getMessage().setHeader(KafkaConstants.TIMESTAMP, System.currentTimeMillis());
            e.getMessage().setHeader(KafkaConstants.KEY, m.key());
            e.getMessage().setBody(ByteBuffer.wrap(m.value()));
            batch.add(e);
        }
        return batch;
    }

    private static CamelContext context() throws Exception {
        CamelContext context = SyncRouteFiles.load();
        AdviceWith.adviceWith(context, "prepare-database", a -> {
            a.replaceFromWith("direct:prepare-database");
            a.weaveByToUri("mongodb:*").replace().process(e -> { });
        });
        AdviceWith.adviceWith(context, "append-dead-letter", a -> a.weaveByToUri("kafka:*").replace().process(e -> { }));
        AdviceWith.adviceWith(context, "sync-batch", a -> {
            a.replaceFromWith("direct:sync-batch-in");
            a.weaveByToUri("seda:bulk-write*").replace().process(e -> { });
            a.weaveByType(org.apache.camel.model.BeanDefinition.class).selectFirst().replace().process(e -> { });
        });
        context.start();
        // started by prepare-database in the app
        context.getRouteController().startRoute("sync-batch");
        // the batch plan reaches the no-op write: checked once, so that a route change that skips records shows
        BatchPlan plan = context.createProducerTemplate().requestBody("direct:sync-batch-in",
                batch(context, List.of(new Workload(1, 4096).next()), 0).subList(0, 1), BatchPlan.class);
        if (plan == null || plan.collections().isEmpty()) {
            throw new IllegalStateException("the sync path produced no write: " + plan);
        }
        return context;
    }
}
