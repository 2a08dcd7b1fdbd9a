package org.lims.consumer.config;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop leaves the consumer group at once, under static membership too. Kafka's consumer sends no
 * LeaveGroup when it closes with a {@code group.instance.id} (KIP-345: a static member is expected back under its
 * name), so the group would leave its partitions unowned until the session timeout. A Deployment's rollout replaces
 * pods under new names, and a stopped pod may be gone for long, so once the Camel context has stopped (every consumer
 * closed, the last batch committed; also a route that the sync-safety restart started during the shutdown) this
 * instance removes its static member, from the dead-letter replay's group too. A SIGKILLed
 * instance cannot, and that is where static membership helps: restarted in place under the same name within the
 * session timeout, it gets its partitions back without a rebalance. (A route restart while running keeps the member:
 * its consumer rejoins under the same name at once.)
 */
public class LeaveGroupOnStop extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LeaveGroupOnStop.class);

    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        KafkaConfiguration kafka = context.getComponent("kafka", KafkaComponent.class).getConfiguration();
        String instanceId = kafka.getGroupInstanceId();
        if (instanceId == null || instanceId.isBlank()) {
            return;
        }
        Settings settings = new Settings(context.getPropertiesComponent());
        Map<String, Object> admin = Bootstrap.kafkaAdminConfig(settings, kafka.getBrokers());
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        // the dead-letter replay's consumer joins its own group under the same name (the component's setting)
        String replayGroup = settings.require(Settings.DLQ_REPLAY_GROUP_ID);
        EventNotifierSupport onStop = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStoppedEvent) {
                    leave(admin, instanceId, kafka.getGroupId(), replayGroup);
                }
            }
        };
        context.getManagementStrategy().addEventNotifier(onStop);
        ServiceHelper.startService(onStop);
    }

    /**
     * Removes the static member from the sync group and the replay group, both asked at once (one wait, however the broker
     * is doing). This instance may never have joined the replay group (no replay ran), or its session timeout removed it since.
     */
    static void leave(Map<String, Object> adminConfig, String instanceId, String syncGroup, String replayGroup) {
        try (Admin admin = Admin.create(adminConfig)) {
            Map<String, KafkaFuture<Void>> removals = new java.util.LinkedHashMap<>();
            for (String group : List.of(syncGroup, replayGroup)) {
                removals.put(group, admin.removeMembersFromConsumerGroup(group,
                        new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove(instanceId)))).all());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            removals.forEach((group, removal) -> {
                try {
                    removal.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    LOG.info("Left consumer group {} (static member {})", group, instanceId);
                } catch (Exception e) {
                    Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                    boolean absent = cause instanceof UnknownMemberIdException || cause instanceof GroupIdNotFoundException;
                    // the session timeout removes it anyway; a member already gone is no error
                    if (group.equals(replayGroup) && absent) {
                        LOG.debug("Static member {} is not in consumer group {}", instanceId, group);
                    } else {
                        LOG.info("Static member {} not removed from consumer group {}: {}", instanceId, group, cause.getMessage());
                    }
                }
            });
        }
    }
}
