package org.lims.consumer.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The experiment's chart: cumulative bytes over time (top) and staleness per change over time (bottom), log scales. */
final class Chart {

    private static final Color[] COLORS = {new Color(0xD6, 0x27, 0x28), new Color(0xFF, 0x7F, 0x0E), new Color(0x1F, 0x77, 0xB4),
        new Color(0x2C, 0xA0, 0x2C)};

    private Chart() {
    }

    static Path write(Experiment.Result result, Path file) throws IOException {
        List<Experiment.Strategy> strategies = result.strategies();
        XYSeriesCollection bytes = new XYSeriesCollection();
        XYSeriesCollection staleness = new XYSeriesCollection();
        for (Experiment.Strategy s : strategies) {
            XYSeries b = new XYSeries(s.name, true, true);
            for (double[] p : s.cumulativeBytes) {
                if (p[1] > 0) {
                    b.addOrUpdate(p[0] / 60.0, p[1] / 1e6);
                }
            }
            bytes.addSeries(b);
            XYSeries st = new XYSeries(s.name, false, true);
            for (double[] p : s.stalenessPoints) {
                st.add(p[0] / 60.0, Math.max(p[1], 0.001));
            }
            staleness.addSeries(st);
        }
        NumberAxis time = new NumberAxis("simulated time (min)");
        time.setRange(0, result.config.duration().toMillis() / 60000.0);

        LogAxis mb = new LogAxis("cumulative MB transferred (after the initial load)");
        mb.setSmallestValue(0.01);
        XYStepRenderer stepRenderer = new XYStepRenderer();
        for (int i = 0; i < COLORS.length; i++) {
            stepRenderer.setSeriesPaint(i, COLORS[i]);
            stepRenderer.setSeriesStroke(i, new BasicStroke(2.2f));
        }
        XYPlot top = new XYPlot(bytes, null, mb, stepRenderer);

        LogAxis seconds = new LogAxis("staleness per change (s)");
        seconds.setSmallestValue(0.001);
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < COLORS.length; i++) {
            dots.setSeriesPaint(i, COLORS[i]);
            dots.setSeriesShape(i, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        XYPlot bottom = new XYPlot(staleness, null, seconds, dots);
        // later strategies on top: a lost change healed by reconciliation lies where the batch run heals it
        bottom.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);

        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.setGap(12);
        plot.add(top, 1);
        plot.add(bottom, 1);
        String title = String.format(Locale.ROOT, "LIMS batch vs stream: %s h simulated, job rate x%s, %d seed images%s",
                Experiment.fmt(result.config.duration().toMinutes() / 60.0), Experiment.fmt(result.config.rate()), result.seedRecords,
                result.config.lostPublishShare() > 0 ? ", " + Experiment.fmt(result.config.lostPublishShare() * 100) + " % of publishes lost" : "");
        JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        top.setBackgroundPaint(new Color(0xF7, 0xF7, 0xF7));
        bottom.setBackgroundPaint(new Color(0xF7, 0xF7, 0xF7));
        // the legend comes from the first subplot only; both use the same colours
        bottom.setFixedLegendItems(new org.jfree.chart.LegendItemCollection());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 900);
        return file;
    }
}
