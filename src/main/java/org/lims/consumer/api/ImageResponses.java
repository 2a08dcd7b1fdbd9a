package org.lims.consumer.api;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.bson.Document;
import org.bson.types.Binary;
import org.lims.consumer.api.model.DeployedJson;
import org.lims.consumer.api.model.ImagePageJson;
import org.lims.consumer.api.model.ImageRecordJson;
import org.lims.consumer.api.model.MessageJson;
import org.lims.consumer.api.model.TotalJson;
import org.lims.consumer.codec.Hex;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * Bean {@code imageResponses}: stored documents to the Image API's JSON, as the model classes of
 * {@code api.model} state it (the same classes the OpenAPI document is generated from, so the two
 * cannot drift apart). {@code data} is lowercase hex; dates are zoneless
 * {@code YYYY-MM-DDTHH:MM:SS.ffffff} in the zone the sync reads LIMS times in (UTC).
 */
public class ImageResponses {

    public static final DateTimeFormatter LIMS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private final ObjectMapper json = new ObjectMapper();
    private final ZoneId zone;

    public ImageResponses(ZoneId zone) {
        this.zone = zone;
    }

    public String ping() {
        return write("Hello, I am alive");
    }

    public String deployed(@Body Document marker) {
        Object value = marker == null ? null : marker.get("is_deployed");
        return write(new DeployedJson(Boolean.TRUE.equals(value)));
    }

    public String image(@Body Document doc) {
        return write(record(doc));
    }

    public String total(@Body Number count) {
        return write(new TotalJson(count.longValue()));
    }

    /** The sampled image, or 404 when nothing matches the filters. */
    public String random(@Body List<Document> sample, @Variable("request") ImageFilter request) {
        if (sample == null || sample.isEmpty()) {
            // the matches were hard-deleted between the count and the read
            throw ApiException.notFound(ImageRequests.noMatch(request));
        }
        return write(record(sample.get(0)));
    }

    public String page(@Variable("images") List<Document> images, @Body Number total) {
        List<ImageRecordJson> list = new ArrayList<>(images.size());
        for (Document doc : images) {
            list.add(record(doc));
        }
        return write(new ImagePageJson(list, total.longValue()));
    }

    public String deleted() {
        return write(new MessageJson("Image deleted successfully"));
    }

    /** The contract's image record: its fields only ({@code _id} and unknown stored fields are not shown). */
    ImageRecordJson record(Document doc) {
        ImageRecordJson r = new ImageRecordJson();
        r.id = ((Number) doc.get(ImageRecordCodec.ID)).longValue();
        r.camera_id = doc.get(ImageRecordCodec.CAMERA_ID) instanceof Number n ? n.longValue() : null;
        r.data = hex(doc.get(ImageRecordCodec.DATA));
        r.gps_coordinates = coordinates(doc.get(ImageRecordCodec.GPS));
        r.created_at = time(doc.get(ImageRecordCodec.CREATED_AT));
        r.updated_at = time(doc.get(ImageRecordCodec.UPDATED_AT));
        r.is_active = (Boolean) doc.get(ImageRecordCodec.IS_ACTIVE);
        r.is_deleted = (Boolean) doc.get(ImageRecordCodec.IS_DELETED);
        r.disease = (String) doc.get(ImageRecordCodec.DISEASE);
        r.percentage = doc.get(ImageRecordCodec.PERCENTAGE) instanceof Number n ? n.doubleValue() : null;
        return r;
    }

    private static String hex(Object v) {
        if (v instanceof Binary b) {
            return Hex.encode(b.getData());
        }
        return v instanceof byte[] bytes ? Hex.encode(bytes) : (String) v;
    }

    private static List<Double> coordinates(Object v) {
        if (!(v instanceof List<?> list)) {
            return null;
        }
        List<Double> out = new ArrayList<>(list.size());
        for (Object n : list) {
            out.add(((Number) n).doubleValue());
        }
        return out;
    }

    private String time(Object v) {
        return v instanceof Date d ? LocalDateTime.ofInstant(d.toInstant(), zone).format(LIMS_TIME) : (String) v;
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
