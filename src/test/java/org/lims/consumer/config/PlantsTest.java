package org.lims.consumer.config;

import java.util.List;
import java.util.Properties;

import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlantsTest {

    private static Settings settings(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        PropertiesComponent pc = (PropertiesComponent) new DefaultCamelContext().getPropertiesComponent();
        pc.setInitialProperties(p);
        // only what the test declares: no LIMS_* variable of the machine running it
        pc.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        return new Settings(pc);
    }

    @Test
    void plantsAreTheTopicsInOrderEachWithItsCollection() {
        Plants plants = Plants.from(settings("lims.kafka.topics", "potato, tomato,cucumber",
                "lims.mongodb.collection.potato", "imagecolplantpotato",
                "lims.mongodb.collection.tomato", "imagecolplanttomato",
                "lims.mongodb.collection.cucumber", "imagecolplantcucumber"));
        assertEquals(List.of("potato", "tomato", "cucumber"), plants.names());
        assertEquals("imagecolplantcucumber", plants.collection("cucumber"));
        assertTrue(plants.isPlant("tomato"));
        assertFalse(plants.isPlant("pepper"), "a collection setting alone does not make a plant: the topic does");
        assertNull(plants.collection("pepper"));
    }

    @Test
    void thePlantIsTheTopicWithoutItsPrefix() {
        Plants plants = Plants.from(settings("lims.kafka.topics", "stg.potato", "lims.kafka.topic-prefix", "stg.",
                "lims.mongodb.collection.potato", "imagecolplantpotato"));
        assertEquals(List.of("potato"), plants.names());
        assertEquals("potato", plants.plantOf("stg.potato"));
        assertEquals("stg.potato", plants.topicOf("potato"));
    }

    @Test
    void aConsumedTopicWithoutACollectionNamesTheSettingToSet() {
        Settings.StartupException e = assertThrows(Settings.StartupException.class, () -> Plants.from(settings(
                "lims.kafka.topics", "potato,cucumber", "lims.mongodb.collection.potato", "imagecolplantpotato")));
        assertTrue(e.getMessage().contains("LIMS_MONGODB_COLLECTION_CUCUMBER (lims.mongodb.collection.cucumber)"), e.getMessage());
        assertTrue(e.getMessage().contains("topic 'cucumber'"), e.getMessage());
    }
}
