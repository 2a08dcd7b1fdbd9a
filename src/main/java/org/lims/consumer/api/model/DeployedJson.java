package org.lims.consumer.api.model;

/** OpenAPI model only. */
public class DeployedJson {
    public boolean is_deployed;
}
