package org.lims.consumer.dev;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lims.consumer.codec.Hex;
import org.lims.consumer.testinfra.AppDefaults;

/**
 * A producer for trying the dev app by hand: LIMS-like image records (a real small JPEG of a leaf,
 * as hex), mostly creates, some updates and soft deletes, in the Image API's message format (the
 * dev profile's own traffic comes from the LIMS simulator in {@code dev.sim}):
 * {@code ./mvnw -q test-compile exec:exec@demo-traffic -Ddemo-traffic.args="[count, 100] [brokers, localhost:9092] [topic,topic,...]"}.
 * The topics default to the app's ({@code lims.kafka.topics} of {@code application.properties}); a
 * dev app started with other topics ({@code LIMS_KAFKA_TOPICS}) is given the same list here.
 */
public class DemoTraffic {

    private static final DateTimeFormatter LIMS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final String IMAGE_HEX = Hex.encode(leafJpeg(new Random(7), 160));

    private final List<String> topics;
    private final Random random = new Random();
    private final Map<String, Integer> lastId = new ConcurrentHashMap<>();

    public DemoTraffic(List<String> topics) {
        this.topics = List.copyOf(topics);
    }

    /** One Kafka message of the Image API. */
    public record Event(String topic, String key, byte[] value) {
    }

    public Event nextEvent() {
        String topic = topics.get(random.nextInt(topics.size()));
        int last = lastId.getOrDefault(topic, 0);
        int roll = random.nextInt(10);
        boolean create = last == 0 || roll < 7;
        int id = create ? last + 1 : 1 + random.nextInt(last);
        if (create) {
            lastId.put(topic, id);
        }
        String json = record(id, roll == 9 && !create, create);
        return new Event(topic, String.valueOf(id), json.getBytes(StandardCharsets.UTF_8));
    }

    String record(int id, boolean deleted, boolean create) {
        String now = LocalDateTime.now(ZoneOffset.UTC).format(LIMS_TIME);
        return "{\"id\":" + id + ",\"camera_id\":" + (1 + random.nextInt(3))
                + ",\"data\":\"" + IMAGE_HEX + "\""
                + ",\"gps_coordinates\":[" + (48 + random.nextDouble()) + "," + (16 + random.nextDouble()) + "]"
                + ",\"created_at\":\"" + now + "\",\"updated_at\":" + (create ? "null" : "\"" + now + "\"")
                + ",\"is_active\":" + random.nextBoolean() + ",\"is_deleted\":" + deleted
                + ",\"disease\":null,\"percentage\":null}";
    }

    /** A small JPEG that looks like a leaf: a green ellipse with veins on a soil-coloured background. */
    public static byte[] leafJpeg(Random random, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(110 + random.nextInt(30), 85, 60));
        g.fillRect(0, 0, size, size);
        g.setColor(new Color(40 + random.nextInt(40), 120 + random.nextInt(60), 40));
        g.fill(new Ellipse2D.Double(size * 0.15, size * 0.25, size * 0.7, size * 0.5));
        g.setColor(new Color(150, 190, 90));
        g.drawLine(size / 6, size / 2, size * 5 / 6, size / 2);
        for (int i = 1; i < 6; i++) {
            int x = size / 6 + i * size / 9;
            g.drawLine(x, size / 2, x + size / 12, size / 2 - size / 6);
            g.drawLine(x, size / 2, x + size / 12, size / 2 + size / 6);
        }
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color(90 + random.nextInt(60), 70 + random.nextInt(40), 20));
            int r = 3 + random.nextInt(8);
            g.fillOval((int) (size * 0.2 + random.nextDouble() * size * 0.6), (int) (size * 0.3 + random.nextDouble() * size * 0.4), r, r);
        }
        g.dispose();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "jpg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        String brokers = args.length > 1 ? args[1] : "localhost:9092";
        List<String> topics = args.length > 2 ? Arrays.stream(args[2].split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList()
                : AppDefaults.plants();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        DemoTraffic traffic = new DemoTraffic(topics);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < count; i++) {
                Event event = traffic.nextEvent();
                producer.send(new ProducerRecord<>(event.topic(), event.key(), event.value()));
            }
            producer.flush();
        }
        System.out.println("Sent " + count + " LIMS events to " + topics + " on " + brokers);
    }
}
