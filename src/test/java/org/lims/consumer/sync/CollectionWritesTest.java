package org.lims.consumer.sync;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stale guard, without a database: the fold within a batch and the decision against stored versions. */
class CollectionWritesTest {

    private static Date t(int minute) {
        return Date.from(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(60L * minute));
    }

    private static WriteIntent upsert(int id, int minute, String marker) {
        Document doc = new Document("id", id).append("created_at", t(0)).append("updated_at", t(minute)).append("m", marker);
        return new WriteIntent("c", id, Operation.UPSERT, doc, t(minute), null);
    }

    private static Document stored(int id, int minute) {
        return new Document("id", id).append("created_at", t(0)).append("updated_at", t(minute));
    }

    @Test
    void newestVersionOfABatchWinsWhateverTheOrder() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(upsert(1, 5, "a"));
        w.add(upsert(1, 9, "b"));
        w.add(upsert(1, 7, "c"));
        List<WriteModel<Document>> models = w.resolve(List.of());
        assertEquals(1, models.size());
        assertEquals("b", ((InsertOneModel<Document>) models.get(0)).getDocument().get("m"));
        assertEquals(1, w.staleSkipped());
    }

    @Test
    void olderThanStoredIsSkippedEqualIsANoOpNewerIsWritten() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(upsert(1, 5, "older"));
        w.add(upsert(2, 5, "equal"));
        w.add(upsert(3, 5, "newer"));
        w.add(upsert(4, 5, "new record"));
        List<WriteModel<Document>> models = w.resolve(List.of(stored(1, 6), stored(2, 5), stored(3, 4)));
        assertEquals(2, models.size());
        assertEquals(1, w.staleSkipped());
        assertEquals(1, w.unchanged());
        assertTrue(models.get(0) instanceof ReplaceOneModel<Document> r && r.getReplaceOptions().isUpsert(), "a stored id: replaced by id");
        assertTrue(models.get(1) instanceof InsertOneModel<Document> i && i.getDocument().get("m").equals("new record"),
                "an id the version read found absent: inserted");
    }

    @Test
    void anInsertThatLostItsIdToAnotherWriterIsWrittenAgainAsAReplaceGuardedByTheVersion() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(upsert(1, 5, "raced"));
        w.add(upsert(2, 5, "rejected"));
        w.add(upsert(3, 5, "another unique index"));
        w.resolve(List.of());
        BulkWriteError duplicate = new BulkWriteError(11000, "E11000 duplicate key error", new BsonDocument(), 0);
        BulkWriteError other = new BulkWriteError(2, "bad document", new BsonDocument(), 1);
        BulkWriteError otherIndex = new BulkWriteError(11000, "E11000 duplicate key error (camera_id_1)", new BsonDocument(), 2);
        assertTrue(w.isDuplicateInsert(duplicate));
        assertFalse(w.isDuplicateInsert(other), "any other refusal is a rejection (dead-lettered)");
        Document query = w.lostInsertQuery(List.of(duplicate, other, otherIndex));
        assertEquals(new Document("id", new Document("$in", List.of(1, 3))), query, "the duplicate-key inserts' ids are read again");
        // id 1 is stored now (another writer inserted it); id 3 is still absent: its duplicate was another unique index
        List<WriteModel<Document>> retries = w.lostInsertRewrites(List.of(new Document("id", 1)));
        assertEquals(1, retries.size());
        ReplaceOneModel<Document> retry = (ReplaceOneModel<Document>) retries.get(0);
        assertFalse(retry.getReplaceOptions().isUpsert());
        assertEquals("raced", retry.getReplacement().get("m"));
        String filter = retry.getFilter().toBsonDocument().toJson();
        assertTrue(filter.contains("\"$lt\"") && filter.contains("updated_at") && filter.contains("created_at"), filter);
        w.lostInsertsRewritten(1);
        assertTrue(w.wasRewritten(duplicate));
        assertFalse(w.wasRewritten(otherIndex), "left to be dead-lettered");
    }

    @Test
    void storedVersionFallsBackToCreatedAt() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(upsert(1, 5, "x"));
        Document neverUpdated = new Document("id", 1).append("created_at", t(10)).append("updated_at", null);
        assertEquals(0, w.resolve(List.of(neverUpdated)).size(), "created_at 10 is newer than updated_at 5");
    }

    @Test
    void tombstoneResetsAndTheRecordAfterItRecreates() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(upsert(1, 5, "a"));
        w.add(new WriteIntent("c", 1, Operation.HARD_DELETE, null, null, null));
        assertInstanceOf(DeleteOneModel.class, w.resolve(List.of(stored(1, 1))).get(0));

        CollectionWrites again = new CollectionWrites("c");
        again.add(new WriteIntent("c", 1, Operation.HARD_DELETE, null, null, null));
        again.add(upsert(1, 2, "b"));
        assertInstanceOf(InsertOneModel.class, again.resolve(List.of()).get(0));
    }

    @Test
    void deleteOfAMissingRecordWritesNothing() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(new WriteIntent("c", 1, Operation.HARD_DELETE, null, null, null));
        assertEquals(0, w.resolve(List.of()).size());
    }

    @Test
    void idOnlySoftDeleteFlagsTheStoredRecord() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(new WriteIntent("c", 1, Operation.SOFT_DELETE, null, t(8), null));
        WriteModel<Document> model = w.resolve(List.of(stored(1, 5))).get(0);
        assertInstanceOf(UpdateOneModel.class, model);
        Document set = (Document) ((Document) ((UpdateOneModel<Document>) model).getUpdate()).get("$set");
        assertEquals(true, set.get("is_deleted"));
        assertEquals(t(8), set.get("updated_at"));
    }

    @Test
    void intAndLongIdsAreTheSameRecord() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(upsert(1, 5, "a"));
        w.add(new WriteIntent("c", 1L, Operation.UPSERT, new Document("id", 1L).append("updated_at", t(6)), t(6), null));
        assertEquals(1, w.size());
        assertEquals(0, w.resolve(List.of(new Document("id", 1L).append("updated_at", t(6)))).size());
    }

    // --- inserts (REST creates) and a request's outcome

    private static CollectionWrites insertRequest(int id) {
        Document doc = new Document("id", id).append("created_at", t(0)).append("updated_at", t(0));
        BatchPlan plan = BatchPlan.request(new WriteIntent("c", id, Operation.INSERT, doc, t(0), null));
        return plan.collections().get(0);
    }

    @Test
    void anInsertIsWrittenOnlyWhenNoRecordHoldsItsId() {
        CollectionWrites free = insertRequest(8);
        assertInstanceOf(InsertOneModel.class, free.resolve(List.of()).get(0));
        assertEquals(CollectionWrites.RequestOutcome.WRITTEN, free.outcome());

        CollectionWrites taken = insertRequest(8);
        assertEquals(0, taken.resolve(List.of(stored(8, 0))).size(), "even an older stored record holds the id");
        assertEquals(CollectionWrites.RequestOutcome.ID_TAKEN, taken.outcome());
    }

    @Test
    void aRequestHearsMongoDbsRefusalAndFailure() {
        CollectionWrites duplicate = insertRequest(8);
        duplicate.resolve(List.of());
        duplicate.refused(List.of(new BulkWriteError(11000, "E11000 duplicate key", new BsonDocument(), 0)));
        assertEquals(CollectionWrites.RequestOutcome.ID_TAKEN, duplicate.outcome(), "the unique index refused it: another writer took the id");

        CollectionWrites other = insertRequest(8);
        other.resolve(List.of());
        other.refused(List.of(new BulkWriteError(2, "bad value", new BsonDocument(), 0)));
        assertTrue(assertThrows(IllegalStateException.class, other::outcome).getMessage().contains("(2): bad value"));

        CollectionWrites unavailable = insertRequest(8);
        unavailable.resolve(List.of());
        unavailable.failed(new MongoSocketOpenException("down", new ServerAddress()));
        assertThrows(MongoSocketOpenException.class, unavailable::outcome);
        assertTrue(unavailable.request() && !new CollectionWrites("c").request(), "a Kafka batch's writes are no request");
    }

    private static WriteIntent from(String plant, WriteIntent intent) {
        SyncRecord source = new SyncRecord(plant, plant, 0, 0, 0, String.valueOf(intent.id()), null, null, intent.operation());
        return new WriteIntent(intent.collection(), intent.id(), intent.operation(), intent.document(), intent.version(), source);
    }

    private static Map<String, Integer> outcomes(CollectionWrites w) {
        Map<String, Integer> counts = new TreeMap<>();
        w.forEachOutcome((plant, outcome, n) -> counts.merge(plant + ":" + outcome.label(), n, Integer::sum));
        return counts;
    }

    @Test
    void everyIntentEndsInExactlyOneOutcome() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(from("potato", upsert(1, 1, "create")));        // coalesced by the update after it
        w.add(from("potato", upsert(1, 3, "update")));        // applied
        w.add(from("potato", upsert(1, 2, "late")));          // stale within the batch
        w.add(from("potato", upsert(1, 3, "again")));         // unchanged within the batch: same version
        w.add(from("potato", upsert(2, 4, "older")));         // stale against the stored version 6
        w.add(from("potato", upsert(3, 5, "equal")));         // unchanged against the stored version 5
        w.add(from("potato", new WriteIntent("c", 4, Operation.HARD_DELETE, null, null, null)));  // unchanged: absent
        w.add(from("potato", new WriteIntent("c", 5, Operation.SOFT_DELETE, null, t(2), null)));  // unchanged: absent
        w.add(from("potato", upsert(6, 1, "a")));             // coalesced by the tombstone
        w.add(from("potato", new WriteIntent("c", 6, Operation.HARD_DELETE, null, null, null)));  // applied: stored
        w.resolve(List.of(stored(2, 6), stored(3, 5), stored(6, 0)));
        assertEquals(Map.of("potato:applied", 2, "potato:coalesced", 2, "potato:stale", 2, "potato:unchanged", 4), outcomes(w));
        assertEquals(2, w.applied());
        assertEquals(2, w.coalesced());
        assertEquals(2, w.staleSkipped());
        assertEquals(4, w.unchanged());
    }

    @Test
    void aWriteMongoDbRejectsCountsAsDeadLetteredNotApplied() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(from("tomato", upsert(1, 1, "a")));
        w.add(from("tomato", upsert(2, 1, "b")));
        assertEquals(2, w.resolve(List.of()).size());
        w.markRejected(1);
        w.markRejected(1);
        assertEquals(Map.of("tomato:applied", 1, "tomato:dead_lettered", 1), outcomes(w));
        assertEquals(1, w.applied());
        assertTrue(w.isRejected(1));
    }

    @Test
    void resolvingAgainCountsTheStoredComparisonOnce() {
        CollectionWrites w = new CollectionWrites("c");
        w.add(from("pepper", upsert(1, 1, "a")));
        w.resolve(List.of());
        w.resolve(List.of(stored(1, 1)));
        assertEquals(Map.of("pepper:unchanged", 1), outcomes(w));
    }
}
