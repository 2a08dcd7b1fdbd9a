package org.lims.consumer.api;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.bson.Document;
import org.bson.types.Binary;
import org.lims.consumer.codec.Hex;
import org.lims.consumer.codec.ImageRecordCodec;

/**
 * Bean {@code imageResponses}: stored documents to the Image API's JSON. An image record has
 * exactly the contract's keys in the contract's order; {@code data} is lowercase hex; dates are
 * zoneless {@code YYYY-MM-DDTHH:MM:SS.ffffff} in the zone the sync reads LIMS times in (UTC).
 */
public class ImageResponses {

    static final String[] RECORD_KEYS = {
        ImageRecordCodec.ID, ImageRecordCodec.CAMERA_ID, ImageRecordCodec.DATA, ImageRecordCodec.GPS,
        ImageRecordCodec.CREATED_AT, ImageRecordCodec.UPDATED_AT, ImageRecordCodec.IS_ACTIVE,
        ImageRecordCodec.IS_DELETED, ImageRecordCodec.DISEASE, ImageRecordCodec.PERCENTAGE};
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
        return write(Map.of("is_deployed", Boolean.TRUE.equals(value)));
    }

    /** One image, or 404 when the lookup found nothing. */
    public String image(@Body Document doc, @Variable("request") ImageRef request) {
        if (doc == null) {
            throw ApiException.imageNotFound(request.id());
        }
        return write(record(doc));
    }

    public String written(@Body Document doc) {
        return write(record(doc));
    }

    public String total(@Body Number count) {
        return write(Map.of("total_images", count.longValue()));
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
        List<Map<String, Object>> list = new ArrayList<>(images.size());
        for (Document doc : images) {
            list.add(record(doc));
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("image_list", list);
        page.put("total_images", total.longValue());
        return write(page);
    }

    public String deleted() {
        return write(Map.of("message", "Image deleted successfully"));
    }

    /** The contract's image record: its keys in its order, no {@code _id}, nothing else. */
    public Map<String, Object> record(Document doc) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : RECORD_KEYS) {
            out.put(key, value(doc.get(key)));
        }
        return out;
    }

    private Object value(Object v) {
        if (v instanceof Binary b) {
            return Hex.encode(b.getData());
        }
        if (v instanceof byte[] bytes) {
            return Hex.encode(bytes);
        }
        if (v instanceof Date d) {
            return LocalDateTime.ofInstant(d.toInstant(), zone).format(LIMS_TIME);
        }
        return v;
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
