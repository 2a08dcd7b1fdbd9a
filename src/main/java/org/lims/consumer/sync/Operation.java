package org.lims.consumer.sync;

/** What a Kafka record does to the consumer database; the router's second key after the plant. */
public enum Operation {
    /** create or update: store the record if it is not older than the stored one */
    UPSERT("upsert"),
    /** store the record with {@code is_deleted: true}, as every LIMS delete does */
    SOFT_DELETE("soft-delete"),
    /** a tombstone: remove the record */
    HARD_DELETE("hard-delete"),
    /**
     * create only (a REST create, never a Kafka record): store the record if no record has its id.
     * The unique id index decides; a taken id goes back to the caller, who picks another.
     */
    INSERT("insert");

    private final String routeName;

    Operation(String routeName) {
        this.routeName = routeName;
    }

    /** The value of the {@code operation} variable the routes branch on. */
    public String routeName() {
        return routeName;
    }
}
