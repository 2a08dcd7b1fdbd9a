package org.lims.consumer.sync;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.lims.consumer.codec.ImageRecord;
import org.lims.consumer.codec.ImageRecordCodec;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordDecoderTest {

    private final ImageRecordCodec codec = new ImageRecordCodec();

    private ImageRecord record(String json) {
        return codec.decode(json.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void operationIsInferredFromTheRecord() {
        assertEquals(Operation.UPSERT, RecordDecoder.classify(record("{\"id\":1,\"is_deleted\":false}"), null));
        assertEquals(Operation.SOFT_DELETE, RecordDecoder.classify(record("{\"id\":1,\"is_deleted\":true}"), null));
        assertEquals(Operation.HARD_DELETE, RecordDecoder.classify(codec.decode((byte[]) null, "1"), null));
    }

    @Test
    void explicitOperationWinsHeaderFirst() {
        assertEquals(Operation.SOFT_DELETE, RecordDecoder.classify(record("{\"id\":1,\"is_deleted\":false}"), "delete"));
        assertEquals(Operation.UPSERT, RecordDecoder.classify(record("{\"id\":1,\"is_deleted\":true,\"operation\":\"update\"}"), null));
        assertEquals(Operation.UPSERT, RecordDecoder.classify(record("{\"id\":1,\"operation\":\"delete\"}"), "create"));
        assertEquals(Operation.SOFT_DELETE, RecordDecoder.classify(codec.decode((byte[]) null, "1"), "delete"));
    }
}
