package org.lims.consumer.sync;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lims.consumer.config.Plants;
import org.lims.consumer.config.Settings;
import org.lims.consumer.observe.DeadLetterInspector;
import org.lims.consumer.observe.SyncMetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replay's bookkeeping without a broker: bounds, reason filter, max, the restored record, what is committed. */
class DeadLetterReplayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext context;
    private DeadLetterReplay replay;
    private final List<Long> committed = new ArrayList<>();

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        Plants plants = Plants.from(new Settings(context.getPropertiesComponent()));
        // partition 0 holds offsets 0-5; the replay group committed 2: a replay reads 2, 3, 4, 5
        DeadLetterInspector topic = new DeadLetterInspector(Map.of(), "dlq", "dlq-replay") {
            @Override
            public List<Range> ranges() {
                return List.of(new Range(0, 0, 6, 2L), new Range(1, 0, 0, null));
            }
        };
        replay = new DeadLetterReplay(topic, new SyncMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), plants), 30_000);
    }

    private Exchange request(Map<String, Object> headers) {
        Exchange e = new DefaultExchange(context);
        headers.forEach(e.getMessage()::setHeader);
        return e;
    }

    private Exchange letter(long offset, String reason) {
        Exchange e = new DefaultExchange(context);
        var m = e.getMessage();
        m.setHeader(KafkaConstants.TOPIC, "dlq");
        m.setHeader(KafkaConstants.PARTITION, 0);
        m.setHeader(KafkaConstants.OFFSET, offset);
        m.setHeader(KafkaConstants.KEY, "k" + offset);
        m.setHeader(KafkaConstants.MANUAL_COMMIT, (org.apache.camel.component.kafka.consumer.KafkaManualCommit) () -> committed.add(offset));
        m.setHeader(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
        m.setHeader(DeadLetters.ERROR, "bad".getBytes(StandardCharsets.UTF_8));
        m.setHeader(DeadLetters.SOURCE_TOPIC, "tomato".getBytes(StandardCharsets.UTF_8));
        m.setHeader(DeadLetters.SOURCE_PARTITION, "2".getBytes(StandardCharsets.UTF_8));
        m.setHeader(DeadLetters.SOURCE_OFFSET, String.valueOf(100 + offset).getBytes(StandardCharsets.UTF_8));
        m.setHeader(DeadLetters.ATTEMPTS, "1".getBytes(StandardCharsets.UTF_8));
        m.setHeader("origin", "lims".getBytes(StandardCharsets.UTF_8));
        m.setBody(("value " + offset).getBytes(StandardCharsets.UTF_8));
        return e;
    }

    private List<Exchange> letters(long from, long to, String reason) {
        List<Exchange> batch = new ArrayList<>();
        for (long o = from; o <= to; o++) {
            batch.add(letter(o, reason));
        }
        return batch;
    }

    @Test
    void readsFromTheCommittedPositionToTheEndAndRestoresTheOriginalRecord() throws Exception {
        DeadLetterReplay.Run run = replay.begin(request(Map.of("reason", List.of("not-json", "invalid-hex,wrong-type"))));
        assertFalse(run.isFinished());
        List<Exchange> batch = List.of(letter(2, "not-json"), letter(3, "mongo-rejected-11000"), letter(4, "wrong-type"));
        DeadLetterReplay.ReplayBatch taken = replay.take(batch);
        assertEquals(2, taken.getRecords().size(), "offsets 2 and 4; 3 has a reason not asked for");
        assertEquals(1, taken.getSkipped().size());
        var restored = taken.getRecords().get(0);
        assertEquals("tomato", restored.getHeader(KafkaConstants.TOPIC));
        assertEquals(2, restored.getHeader(KafkaConstants.PARTITION));
        assertEquals(102L, restored.getHeader(KafkaConstants.OFFSET));
        assertNull(restored.getHeader(DeadLetters.REASON));
        assertNull(restored.getHeader(DeadLetters.SOURCE_TOPIC));
        assertNull(restored.getHeader(KafkaConstants.MANUAL_COMMIT), "the replay commits the dead-letter topic itself");
        assertEquals(1, DeadLetters.attempts(restored), "attempts kept, for the next dead letter to count on");
        assertEquals("lims", new String((byte[]) restored.getHeader("origin"), StandardCharsets.UTF_8));
        assertEquals("k2", restored.getHeader(KafkaConstants.KEY));
        assertEquals("mongo-rejected-11000", new String((byte[]) taken.getSkipped().get(0).getHeader(DeadLetters.REASON), StandardCharsets.UTF_8),
                "a skipped letter is re-appended as it is");

        assertTrue(committed.isEmpty(), "nothing committed before the batch is applied");
        replay.done(taken, null);
        assertEquals(List.of(4L), committed, "the last record read of the partition");
        assertFalse(run.isFinished(), "offset 5 is still to read");

        DeadLetterReplay.ReplayBatch last = replay.take(letters(4, 7, "not-json"));
        assertEquals(1, last.getRecords().size(), "4 was read already; 6 and 7 are past the end of the request");
        replay.done(last, null);
        assertTrue(run.isFinished());
        assertEquals(List.of(4L, 5L), committed, "offsets from the end on (6, 7) are left for the next replay");
        JsonNode answer = JSON.readTree(run.answer());
        assertEquals(4, answer.get("read").asInt());
        assertEquals(3, answer.get("applied").asInt());
        assertEquals(1, answer.get("skipped").asInt());
        assertEquals(0, answer.get("remaining").asInt());
        assertTrue(answer.get("complete").asBoolean());
        assertEquals(200, run.status());

        DeadLetterReplay.Refused busy = assertThrows(DeadLetterReplay.Refused.class, () -> replay.begin(request(Map.of())));
        assertEquals(409, busy.getStatus());
        replay.release(run);
        assertFalse(replay.begin(request(Map.of())).isFinished(), "the next replay may start");
    }

    @Test
    void maxBoundsTheRecordsRead() throws Exception {
        DeadLetterReplay.Run run = replay.begin(request(Map.of("max", "2")));
        DeadLetterReplay.ReplayBatch taken = replay.take(letters(2, 5, "not-json"));
        assertEquals(2, taken.getRecords().size());
        replay.done(taken, null);
        assertTrue(run.isFinished());
        assertEquals(List.of(3L), committed);
        assertEquals(2, JSON.readTree(run.answer()).get("remaining").asInt());
        assertTrue(replay.take(letters(4, 5, "not-json")).getRecords().isEmpty(), "a finished replay takes nothing more");
    }

    @Test
    void aBadMaxIsRefusedAndStartsNothing() {
        DeadLetterReplay.Refused refused = assertThrows(DeadLetterReplay.Refused.class, () -> replay.begin(request(Map.of("max", "-3"))));
        assertEquals(400, refused.getStatus());
        assertTrue(refused.getJson().contains("max must be a positive integer"), refused.getJson());
        assertFalse(replay.begin(request(Map.of())).isFinished());
    }
}
