package org.lims.consumer.testinfra;

import java.util.List;
import java.util.Map;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.config.DatabaseSetup;
import org.lims.consumer.config.KafkaTopics;
import org.lims.consumer.config.Plants;
import org.lims.consumer.config.Settings;
import org.lims.consumer.observe.SyncMetrics;
import org.lims.consumer.sync.BatchPlanAggregator;
import org.lims.consumer.sync.BulkWrites;
import org.lims.consumer.sync.DeadLetters;
import org.lims.consumer.sync.KafkaBatch;
import org.lims.consumer.sync.Offsets;
import org.lims.consumer.sync.RecordDecoder;
import org.lims.consumer.sync.WriteIntents;

/**
 * The sync, apply and dead-letter route files as they ship, in a context of their own with the beans they call,
 * for the route tier and the in-process record benchmark: no broker, no MongoDB (their clients point nowhere and
 * connect only when used, so the caller replaces those endpoints with AdviceWith before starting the context).
 */
public final class SyncRouteFiles {

    private SyncRouteFiles() {
    }

    /** A context with the beans bound and the route files loaded, not started. */
    public static CamelContext load() throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        context.getPropertiesComponent().addOverrideProperty("lims.kafka.brokers", "localhost:1");
        Plants plants = Plants.from(new Settings(context.getPropertiesComponent()));
        var registry = context.getRegistry();
        registry.bind("plants", plants);
        registry.bind("recordDecoder", new RecordDecoder(new ImageRecordCodec(), plants));
        registry.bind("writeIntents", new WriteIntents());
        registry.bind("deadLetters", new DeadLetters());
        registry.bind("syncMetrics", new SyncMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), plants));
        registry.bind("kafkaBatch", new KafkaBatch());
        registry.bind("batchPlanAggregator", new BatchPlanAggregator());
        registry.bind("bulkWrites", new BulkWrites());
        registry.bind("offsets", new Offsets());
        registry.bind("databaseSetup", new DatabaseSetup());
        registry.bind("kafkaTopics", new KafkaTopics(Map.of("bootstrap.servers", "localhost:1"), "dlq"));
        registry.bind("limsMongo", com.mongodb.client.MongoClients.create("mongodb://localhost:1"));
        for (String file : List.of("sync", "apply", "dead-letter")) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(context, "classpath:routes/" + file + ".camel.yaml"));
        }
        return context;
    }
}
