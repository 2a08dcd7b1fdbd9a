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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop leaves the consumer group at once, under static membership too. Kafka's consumer sends no
 * LeaveGroup when it closes with a {@code group.instance.id} (KIP-345: a static member is expected back under its
 * name), so the group would leave its partitions unowned until the session timeout. A Deployment's rollout replaces
 * pods under new names, and a stopped pod may be gone for long, so once the Camel context has stopped (every consumer
 * closed, the last batch committed; also a route that the sync-safety restart started during the shutdown) this
 * instance removes its static member. A SIGKILLed
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
        Map<String, Object> admin = Bootstrap.kafkaAdminConfig(new Settings(context.getPropertiesComponent()), kafka.getBrokers());
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        EventNotifierSupport onStop = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStoppedEvent) {
                    leave(admin, kafka.getGroupId(), instanceId);
                }
            }
        };
        context.getManagementStrategy().addEventNotifier(onStop);
        ServiceHelper.startService(onStop);
    }

    static void leave(Map<String, Object> adminConfig, String group, String instanceId) {
        try (Admin admin = Admin.create(adminConfig)) {
            admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove(instanceId))))
                    .all().get(5, TimeUnit.SECONDS);
            LOG.info("Left consumer group {} (static member {})", group, instanceId);
        } catch (Exception e) {
            // the session timeout removes it anyway; a member already gone is no error
            LOG.info("Static member {} not removed from consumer group {}: {}", instanceId, group, e.getMessage());
        }
    }
}
