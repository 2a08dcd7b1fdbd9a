package org.lims.consumer.api.model;

/** Whether the consumer database is ready. */
public class DeployedJson {
    public boolean is_deployed;

    public DeployedJson(boolean isDeployed) {
        this.is_deployed = isDeployed;
    }
}
