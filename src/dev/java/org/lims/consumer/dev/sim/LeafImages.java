package org.lims.consumer.dev.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A small pool of real JPEG photos of "leaves", drawn with Java2D and encoded with ImageIO: a
 * leaf blade with midrib, veins and disease spots on a grainy soil background, so that the JPEG
 * encoder sees photo-like texture. Sizes run from a few KB to tens of KB, like the LIMS images.
 * Deterministic for a given seed; generated once per JVM (about a second).
 */
public final class LeafImages {

    private static volatile LeafImages defaultPool;

    private final List<byte[]> images;

    private LeafImages(List<byte[]> images) {
        this.images = Collections.unmodifiableList(images);
    }

    /** The shared pool: 24 images from 96 to 512 pixels. */
    public static LeafImages pool() {
        if (defaultPool == null) {
            synchronized (LeafImages.class) {
                if (defaultPool == null) {
                    defaultPool = generate(24, 7L);
                }
            }
        }
        return defaultPool;
    }

    public static LeafImages generate(int count, long seed) {
        Random random = new Random(seed);
        List<byte[]> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = 96 + (int) Math.round((512 - 96) * Math.pow(random.nextDouble(), 1.3));
            list.add(leaf(random, size));
        }
        return new LeafImages(list);
    }

    public byte[] pick(Random random) {
        return images.get(random.nextInt(images.size()));
    }

    public List<byte[]> all() {
        return images;
    }

    public double averageBytes() {
        return images.stream().mapToInt(b -> b.length).average().orElse(0);
    }

    /** One leaf photo of {@code size} x {@code size} pixels as JPEG (quality 0.85). */
    public static byte[] leaf(Random random, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        // soil: a warm gradient
        Color soilA = new Color(95 + random.nextInt(40), 70 + random.nextInt(20), 45 + random.nextInt(15));
        Color soilB = soilA.darker();
        g.setPaint(new GradientPaint(0, 0, soilA, size, size, soilB));
        g.fillRect(0, 0, size, size);
        // pebbles and crumbs
        for (int i = 0; i < size / 3; i++) {
            int shade = 40 + random.nextInt(90);
            g.setColor(new Color(shade + 30, shade + 15, shade));
            int r = 1 + random.nextInt(Math.max(2, size / 40));
            g.fillOval(random.nextInt(size), random.nextInt(size), r, r);
        }
        // the blade: a pointed oval, rotated a little
        AffineTransform saved = g.getTransform();
        g.rotate((random.nextDouble() - 0.5) * 1.2, size / 2.0, size / 2.0);
        double left = size * 0.12;
        double right = size * 0.88;
        double mid = size / 2.0;
        double half = size * (0.2 + random.nextDouble() * 0.1);
        Path2D blade = new Path2D.Double();
        blade.moveTo(left, mid);
        blade.curveTo(left + size * 0.2, mid - half * 1.4, right - size * 0.25, mid - half, right, mid);
        blade.curveTo(right - size * 0.25, mid + half, left + size * 0.2, mid + half * 1.4, left, mid);
        blade.closePath();
        Color green = new Color(45 + random.nextInt(40), 110 + random.nextInt(60), 35 + random.nextInt(20));
        g.setPaint(new GradientPaint((float) left, (float) (mid - half), green.brighter(), (float) right, (float) (mid + half), green.darker()));
        g.fill(blade);
        g.setColor(green.darker().darker());
        g.setStroke(new BasicStroke(Math.max(1f, size / 160f)));
        g.draw(blade);
        // midrib and veins
        g.setClip(blade);
        g.setColor(new Color(170, 205, 120));
        g.setStroke(new BasicStroke(Math.max(1f, size / 90f)));
        g.drawLine((int) left, (int) mid, (int) right, (int) mid);
        g.setStroke(new BasicStroke(Math.max(1f, size / 220f)));
        int veins = 6 + random.nextInt(5);
        for (int i = 1; i <= veins; i++) {
            double x = left + i * (right - left) / (veins + 1);
            double dx = size * (0.08 + random.nextDouble() * 0.04);
            g.drawLine((int) x, (int) mid, (int) (x + dx), (int) (mid - half));
            g.drawLine((int) x, (int) mid, (int) (x + dx), (int) (mid + half));
        }
        // lesions: brown spots with yellow halos
        int spots = random.nextInt(18);
        for (int i = 0; i < spots; i++) {
            double r = size * (0.01 + random.nextDouble() * 0.035);
            double x = left + random.nextDouble() * (right - left);
            double y = mid + (random.nextDouble() - 0.5) * half * 1.6;
            g.setColor(new Color(210, 200, 70, 160));
            g.fillOval((int) (x - r * 1.5), (int) (y - r * 1.5), (int) (r * 3), (int) (r * 3));
            g.setColor(new Color(90 + random.nextInt(40), 60 + random.nextInt(20), 25));
            g.fillOval((int) (x - r), (int) (y - r), (int) (r * 2), (int) (r * 2));
        }
        g.setClip(null);
        g.setTransform(saved);
        g.dispose();
        // sensor grain: what makes a photo a photo for the JPEG encoder (and its size realistic)
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = image.getRGB(x, y);
                int n = (int) Math.round(random.nextGaussian() * 6);
                int r = clamp(((rgb >> 16) & 0xff) + n);
                int gr = clamp(((rgb >> 8) & 0xff) + n);
                int b = clamp((rgb & 0xff) + n);
                image.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return jpeg(image, 0.85f);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }

    private static byte[] jpeg(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpg").next();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream();
                MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
            stream.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
