package org.lims.consumer.observe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * Bean {@code producerReads}: what the producer database sent back, measured at the driver (a
 * command listener on the {@code producerMongo} client), so that every read counts, digests and
 * projections included: the BSON size of each reply to a command on a collection ({@code find},
 * {@code aggregate}, {@code getMore}...), attributed to the plant whose producer collection it
 * read. The wire header (21 bytes per reply) is not counted.
 */
public final class ProducerReads implements CommandListener {

    private final Map<Integer, String> collectionByRequest = new ConcurrentHashMap<>();
    private final Map<String, String> plantByCollection = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bytesByPlant = new ConcurrentHashMap<>();

    /** From now on, replies about {@code collection} count for {@code plant}. */
    public void attribute(String collection, String plant) {
        plantByCollection.put(collection, plant);
    }

    /** Bytes read for the plant so far. */
    public long bytes(String plant) {
        LongAdder adder = bytesByPlant.get(plant);
        return adder == null ? 0 : adder.sum();
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        String collection = collectionOf(event.getCommandName(), event.getCommand());
        if (collection != null) {
            collectionByRequest.put(event.getRequestId(), collection);
        }
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
        String collection = collectionByRequest.remove(event.getRequestId());
        String plant = collection == null ? null : plantByCollection.get(collection);
        if (plant != null) {
            bytesByPlant.computeIfAbsent(plant, p -> new LongAdder()).add(size(event.getResponse()));
        }
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        collectionByRequest.remove(event.getRequestId());
    }

    /** {@code {find: "coll"}}, {@code {aggregate: "coll"}}; {@code {getMore: <cursor>, collection: "coll"}}. */
    private static String collectionOf(String commandName, BsonDocument command) {
        BsonValue named = "getMore".equals(commandName) ? command.get("collection") : command.get(commandName);
        return named instanceof BsonString s ? s.getValue() : null;
    }

    private static long size(BsonDocument response) {
        if (response instanceof RawBsonDocument raw) {
            return raw.getByteBuffer().remaining();
        }
        // the driver hands replies over as raw BSON; anything else is measured by encoding it
        BasicOutputBuffer out = new BasicOutputBuffer();
        new BsonDocumentCodec().encode(new org.bson.BsonBinaryWriter(out), response, EncoderContext.builder().build());
        return out.getSize();
    }
}
