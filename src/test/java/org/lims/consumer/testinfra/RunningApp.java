package org.lims.consumer.testinfra;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What most integration test classes start once: a scope on the shared infrastructure (its
 * topics created), the app in-process on it, a producer of LIMS events and a reader of the
 * consumer database.
 */
public final class RunningApp implements AutoCloseable {

    private final TestScope scope;
    private final LimsApp app;
    private final LimsEvents events;
    private final ConsumerDb db;

    private RunningApp(TestScope scope, LimsApp app) {
        this.scope = scope;
        this.app = app;
        this.events = new LimsEvents(scope);
        this.db = new ConsumerDb(scope);
    }

    public static RunningApp start(String name) {
        return start(name, Map.of());
    }

    /**
     * @param overrides   settings on top of the scope's own
     * @param extraPlants topics beyond the configured plants, consumed too (each needs its lims.mongodb.collection.<plant>)
     */
    public static RunningApp start(String name, Map<String, String> overrides, String... extraPlants) {
        TestScope scope = TestScope.create(name);
        List<String> topics = new ArrayList<>(scope.topics());
        for (String plant : extraPlants) {
            topics.add(scope.topic(plant));
        }
        LimsInfrastructure.createTopics(topics, 3);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.kafka.topics", String.join(",", topics));
        props.putAll(overrides);
        return new RunningApp(scope, LimsApp.start(props));
    }

    public TestScope scope() {
        return scope;
    }

    public LimsApp app() {
        return app;
    }

    public LimsEvents events() {
        return events;
    }

    public ConsumerDb db() {
        return db;
    }

    @Override
    public void close() {
        events.close();
        app.close();
        db.close();
    }
}
