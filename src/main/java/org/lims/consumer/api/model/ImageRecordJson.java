package org.lims.consumer.api.model;

import java.util.List;

/** The Image API's image record as the REST API answers it: these keys, in this order, nothing else. */
@SuppressWarnings("checkstyle:MemberName")
public class ImageRecordJson {
    /** sequential per plant, from 1 */
    public long id;
    public Long camera_id;
    /** the JPEG bytes as lowercase hex */
    public String data;
    /** latitude, longitude */
    public List<Double> gps_coordinates;
    /** YYYY-MM-DDTHH:MM:SS.ffffff, UTC, no zone */
    public String created_at;
    public String updated_at;
    public Boolean is_active;
    public Boolean is_deleted;
    public String disease;
    public Double percentage;
}
