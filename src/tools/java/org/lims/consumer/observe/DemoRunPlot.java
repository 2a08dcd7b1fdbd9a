package org.lims.consumer.observe;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.lims.consumer.testinfra.LimsApp;
import org.lims.consumer.testinfra.LimsInfrastructure;
import org.lims.consumer.testinfra.PrometheusServer;
import org.lims.consumer.testinfra.TestScope;

/**
 * A demo run observed the way operators see it: the app with the LIMS simulator, scraped by a
 * real Prometheus; images/s and freshness p50/p99 are read back with query_range and plotted.
 *
 * <pre>./mvnw -q -B -DskipTests package test-compile exec:exec@demo-plot -Ddemo-plot.args="docs/observability-demo.png 120"</pre>
 *
 * Arguments: the PNG to write ({@code target/observability-demo.png}) and the seconds of demo traffic (120).
 */
public final class DemoRunPlot {

    private DemoRunPlot() {
    }

    public static void main(String[] args) throws Exception {
        Path png = Path.of(args.length > 0 ? args[0] : "target/observability-demo.png");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        TestScope scope = TestScope.create("demo");
        // the simulator publishes to the plain plant topics, as the Image API does; this JVM's broker is fresh
        LimsInfrastructure.createTopics(TestScope.PLANTS, 3);
        Map<String, String> props = new HashMap<>(scope.appProperties());
        props.put("lims.kafka.topics", String.join(",", TestScope.PLANTS));
        props.put("lims.kafka.topic-prefix", "");
        props.put("lims.routes.include", "classpath:routes/*.camel.yaml,classpath:routes-dev/*.camel.yaml");
        props.put("lims.demo.enabled", "true");
        props.put("lims.demo.progress-period-ms", "10000");
        // simulated time = wall time (speed-up 1), so that record times are real and freshness means what it says;
        // the job-rate multiplier makes the traffic: every LIMS job 300 times as often, about 8 changes/s
        props.put("lims.sim.speedup", "1");
        props.put("lims.sim.rate", "300");
        props.put("lims.sim.seed-per-plant", "30");
        props.put("lims.sim.producer-database", scope.database() + "_producer");
        Instant start;
        try (LimsApp app = LimsApp.start(props);
             PrometheusServer prometheus = PrometheusServer.start(app.managementPort(), LimsInfrastructure.tempDir("lims-demo-prom"))) {
            start = Instant.now();
            Thread.sleep(seconds * 1000L);
            Instant end = Instant.now();
            Duration step = Duration.ofSeconds(2);
            XYSeriesCollection rate = new XYSeriesCollection();
            rate.addSeries(series("images applied/s", prometheus.queryRange(
                    "sum(rate(lims_consumer_images_applied_total[10s]))", start, end, step), start, 1));
            XYSeriesCollection bandwidth = new XYSeriesCollection();
            bandwidth.addSeries(series("received KB/s", prometheus.queryRange(
                    "sum(rate(lims_consumer_image_bytes_total[10s])) / 1024", start, end, step), start, 1));
            XYSeriesCollection fresh = new XYSeriesCollection();
            fresh.addSeries(series("freshness p50", prometheus.queryRange(
                    "histogram_quantile(0.5, sum by (le) (rate(lims_consumer_freshness_seconds_bucket[30s])))", start, end, step), start, 1000));
            fresh.addSeries(series("freshness p99", prometheus.queryRange(
                    "histogram_quantile(0.99, sum by (le) (rate(lims_consumer_freshness_seconds_bucket[30s])))", start, end, step), start, 1000));
            fresh.addSeries(series("Kafka delay p99", prometheus.queryRange(
                    "histogram_quantile(0.99, sum by (le) (rate(lims_consumer_kafka_delay_seconds_bucket[30s])))", start, end, step), start, 1000));

            XYPlot top = new XYPlot(rate, null, new NumberAxis("images/s"), renderer());
            XYPlot middle = new XYPlot(bandwidth, null, new NumberAxis("KB/s"), renderer());
            // log scale: the seeded backlog (records stamped in the past) and the live changes (sub-second) both show
            LogAxis ms = new LogAxis("ms, log scale (histogram quantiles over 30 s)");
            ms.setSmallestValue(10);
            ms.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
            XYPlot bottom = new XYPlot(fresh, null, ms, renderer());
            CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("seconds into the demo run (LIMS simulator in real time, every job 300x as often)"));
            plot.add(top, 1);
            plot.add(middle, 1);
            plot.add(bottom, 2);
            JFreeChart chart = new JFreeChart("lims-consumer demo run, from Prometheus", plot);
            chart.setBackgroundPaint(Color.WHITE);
            if (png.getParent() != null) {
                Files.createDirectories(png.getParent());
            }
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 800);
            System.out.printf("wrote %s (%d s of demo traffic); last values: %s%n", png, seconds, summary(rate, bandwidth, fresh));
        }
        System.exit(0);
    }

    private static XYLineAndShapeRenderer renderer() {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDefaultStroke(new BasicStroke(2f));
        return r;
    }

    private static XYSeries series(String name, JsonNode result, Instant start, double scale) {
        XYSeries series = new XYSeries(name);
        for (JsonNode s : result) {
            for (JsonNode point : s.get("values")) {
                double value = Double.parseDouble(point.get(1).asText());
                if (!Double.isNaN(value)) {
                    series.add(point.get(0).asDouble() - start.getEpochSecond(), value * scale);
                }
            }
        }
        return series;
    }

    private static String summary(XYSeriesCollection... collections) {
        StringBuilder sb = new StringBuilder();
        for (XYSeriesCollection c : collections) {
            for (int i = 0; i < c.getSeriesCount(); i++) {
                XYSeries s = c.getSeries(i);
                if (s.getItemCount() > 0) {
                    sb.append(s.getKey()).append('=').append(String.format("%.1f", s.getY(s.getItemCount() - 1).doubleValue())).append("; ");
                }
            }
        }
        return sb.toString();
    }
}
