package org.lims.consumer.config;

import java.time.ZoneId;
import java.util.Map;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.lims.consumer.api.ApiBeans;
import org.lims.consumer.observe.DeadLetterInspector;
import org.lims.consumer.observe.KafkaConsumerWatch;
import org.lims.consumer.observe.ManagementHttp;
import org.lims.consumer.api.ImageResponses;
import org.lims.consumer.observe.ProducerReads;
import org.lims.consumer.observe.ReconcileMetrics;
import org.lims.consumer.observe.ReadinessChecks;
import org.lims.consumer.observe.SyncMetrics;
import org.lims.consumer.codec.ImageRecordCodec;
import org.lims.consumer.reconcile.ReconcileSchedule;
import org.lims.consumer.reconcile.ReconcileSettings;
import org.lims.consumer.reconcile.Reconciler;
import org.lims.consumer.sync.BatchPlanAggregator;
import org.lims.consumer.sync.BulkWrites;
import org.lims.consumer.sync.DeadLetterReplay;
import org.lims.consumer.sync.DeadLetters;
import org.lims.consumer.sync.KafkaBatch;
import org.lims.consumer.sync.Offsets;
import org.lims.consumer.sync.RecordDecoder;
import org.lims.consumer.sync.WriteIntents;

/** The beans the route files call by name. */
public class LimsBeans implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context.getPropertiesComponent());
        ZoneId zone = ZoneId.of(settings.get("lims.sync.source-zone").orElse("UTC"));
        ImageRecordCodec codec = new ImageRecordCodec(zone, settings.integer("lims.sync.max-value-bytes", 20_000_000));
        Registry registry = context.getRegistry();
        PrometheusMeterRegistry meters = registry.lookupByNameAndType(Bootstrap.METRICS_REGISTRY, PrometheusMeterRegistry.class);
        context.addRoutePolicyFactory(routeMetrics(context, meters, settings));
        Plants plants = registry.lookupByNameAndType(Bootstrap.PLANTS, Plants.class);
        SyncMetrics metrics = new SyncMetrics(meters, plants);
        registry.bind("syncMetrics", metrics);
        KafkaConsumerWatch kafka = new KafkaConsumerWatch(meters,
                java.util.Set.of(settings.require(Settings.KAFKA_TOPICS).split("\\s*,\\s*")));
        registry.bind("kafkaConsumerWatch", kafka);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        ReadinessChecks.KafkaAssignment assigned = new ReadinessChecks.KafkaAssignment(kafka);
        ReadinessChecks.MongoPing mongoPing = new ReadinessChecks.MongoPing(settings.require(Settings.MONGODB_URI),
                Bootstrap.mongoSettingsBuilder(settings, settings.require(Settings.MONGODB_URI)));
        health.register(assigned);
        health.register(mongoPing);
        registry.bind("readinessGauge", new ReadinessChecks.Gauge(meters, assigned, mongoPing));

        RecordDecoder decoder = new RecordDecoder(codec, plants);
        registry.bind("kafkaBatch", new KafkaBatch());
        registry.bind("recordDecoder", decoder);
        registry.bind("writeIntents", new WriteIntents());
        registry.bind("batchPlanAggregator", new BatchPlanAggregator());
        registry.bind("bulkWrites", new BulkWrites());
        registry.bind("offsets", new Offsets());
        registry.bind("deadLetters", new DeadLetters());
        registry.bind("databaseSetup", new DatabaseSetup());
        Map<String, Object> kafkaAdmin = Bootstrap.kafkaAdminConfig(settings, settings.require(Settings.KAFKA_BROKERS));
        registry.bind("kafkaTopics", new KafkaTopics(kafkaAdmin, settings.require(Settings.DLQ_TOPIC)));
        DeadLetterInspector inspector = new DeadLetterInspector(kafkaAdmin, settings.require(Settings.DLQ_TOPIC),
                settings.require(Settings.DLQ_REPLAY_GROUP_ID));
        registry.bind("deadLetterInspector", inspector);
        registry.bind("deadLetterReplay", new DeadLetterReplay(inspector, metrics,
                settings.integer("lims.kafka.dlq-replay-idle-timeout-ms", 30_000)));
        // the dead-letter endpoints are served with health and metrics, on the management port
        context.addComponent(ManagementHttp.COMPONENT, ManagementHttp.component(settings.integer("camel.management.port", 9876)));
        ApiBeans.register(context, settings, zone);
        if (settings.flag(Settings.RECONCILE_ENABLED)) {
            registerReconciliation(context, settings, meters, plants, zone);
        }
    }

    /** The beans of reconcile.camel.yaml, whose routes exist only when lims.producer.mongodb.uri is set. */
    private static void registerReconciliation(CamelContext context, Settings settings, PrometheusMeterRegistry meters, Plants plants,
                                               ZoneId zone) {
        Registry registry = context.getRegistry();
        ReconcileSettings config = ReconcileSettings.from(settings);
        ProducerReads reads = registry.lookupByNameAndType(Bootstrap.PRODUCER_READS, ProducerReads.class);
        ReconcileMetrics metrics = new ReconcileMetrics(meters, plants.names(), reads, config.intervalSeconds());
        ReconcileSchedule schedule = new ReconcileSchedule(context, config);
        registry.bind("reconcileMetrics", metrics);
        registry.bind("reconcileSchedule", schedule);
        registry.bind("reconciler", new Reconciler(settings, config, schedule, metrics, reads, new ImageResponses(zone)));
    }

    /**
     * Camel's route metrics (camel_exchanges_*, camel_route_policy_seconds per routeId) for every route but the
     * per-record ones ({@code lims.metrics.route-metrics-exclude}): a Kafka poll passes sync-batch once, but
     * sync-record, route-plant, route-operation and an apply route once per record, and timing those would cost
     * per record what the sync metrics (lims_consumer_*) count already. Camel's own factory
     * ({@code camel.metrics.enableRoutePolicy}) is off for this one, as camel-main offers no exclusion.
     */
    private static MicrometerRoutePolicyFactory routeMetrics(CamelContext context, PrometheusMeterRegistry meters, Settings settings) {
        MicrometerRoutePolicyFactory factory = new MicrometerRoutePolicyFactory();
        factory.setCamelContext(context);
        factory.setMeterRegistry(meters);
        settings.get("lims.metrics.route-metrics-exclude").ifPresent(factory.getPolicyConfiguration()::setExcludePattern);
        return factory;
    }
}
