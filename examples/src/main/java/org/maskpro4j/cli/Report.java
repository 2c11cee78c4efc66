package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.method.StageReport;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.verify.NmVerifier;

/**
 * The HTML report of a pruning run: MaskPro's loss residual and δ over steps, its mask change rate, the
 * method comparison (held-out loss or perplexity, and accuracy where measured), the held-out metric after each
 * stage of a run that measured it, and per-layer strictness. Charts are PNGs drawn with XChart next to {@code index.html}.
 */
public final class Report {

    /** One method's run and its held-out metrics. */
    public record Row(MethodRun run, Map<String, Object> metrics) {
    }

    private Report() {
    }

    public static Path write(Path dir, NmPattern pattern, List<Row> rows, Map<String, Object> dense,
            NmVerifier.Report verified) throws IOException {
        Files.createDirectories(dir);
        String metric = dense.containsKey("perplexity") ? "perplexity" : "loss";
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>maskpro4j report</title><style>")
                .append("body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}")
                .append("</style></head><body>\n<h1>maskpro4j: ").append(pattern).append(" pruning report</h1>\n<p>")
                .append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)).append("</p>\n");
        html.append("<h2>Methods</h2>\n<table><tr><th>method</th><th>steps</th><th>seconds</th>");
        for (String k : dense.keySet()) {
            html.append("<th>").append(k).append("</th>");
        }
        html.append("</tr>\n").append(row("dense", 0, 0, dense));
        for (Row r : rows) {
            html.append(row(r.run().method(), r.run().steps(), r.run().seconds(), r.metrics()));
        }
        html.append("</table>\n");
        html.append("<p>");
        for (String m : chartedMetrics(metric, dense)) {
            String png = m.equals(metric) ? "methods.png" : "methods-" + m + ".png";
            comparisonChart(dir.resolve(png), m, rows, dense);
            html.append("<img src=\"").append(png).append("\" alt=\"held-out ").append(m).append(" by method\">");
        }
        html.append("</p>\n");
        for (Row r : rows) {
            String name = r.run().method().replaceAll("[^a-zA-Z0-9-]", "_");
            List<double[]> heldOut = heldOutByStep(r.run().stages(), metric);
            if (r.run().history().isEmpty() && heldOut.size() < 2) {
                continue;
            }
            html.append("<h2>").append(escape(r.run().method())).append(" learning</h2>\n<p>");
            if (!r.run().history().isEmpty()) {
                historyCharts(dir, name, r.run().history());
                html.append("<img src=\"").append(name).append("-residual.png\" alt=\"residual and delta\">")
                        .append("<img src=\"").append(name).append("-changed.png\" alt=\"mask change rate\">");
            }
            if (heldOut.size() >= 2) {
                heldOutChart(dir.resolve(name + "-heldout.png"), metric, heldOut, ((Number) dense.get(metric)).doubleValue());
                html.append("<img src=\"").append(name).append("-heldout.png\" alt=\"held-out ").append(metric)
                        .append(" after each stage\">");
            }
            html.append("</p>\n");
        }
        html.append("<h2>Per-layer strictness and sparsity</h2>\n<table><tr><th>weight</th><th>groups</th>")
                .append("<th>violations</th><th>sparsity</th></tr>\n");
        for (NmVerifier.LayerReport l : verified.layers()) {
            html.append("<tr><td>").append(escape(l.name())).append("</td><td>").append(l.groups()).append("</td><td>")
                    .append(l.violations()).append("</td><td>").append(String.format("%.1f%%", 100 * pattern.sparsity()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (!verified.skipped().isEmpty()) {
            html.append("<h3>Kept dense</h3><ul>");
            verified.skipped().forEach(s -> html.append("<li>").append(escape(s)).append("</li>"));
            html.append("</ul>\n");
        }
        html.append("</body></html>\n");
        Path index = dir.resolve("index.html");
        Files.writeString(index, html, StandardCharsets.UTF_8);
        return index;
    }

    private static String row(String method, long steps, double seconds, Map<String, Object> metrics) {
        StringBuilder s = new StringBuilder("<tr><td>").append(escape(method)).append("</td><td>").append(steps)
                .append("</td><td>").append(String.format("%.1f", seconds)).append("</td>");
        for (Object v : metrics.values()) {
            s.append("<td>").append(v instanceof Double d ? String.format("%.4f", d) : String.valueOf(v)).append("</td>");
        }
        return s.append("</tr>\n").toString();
    }

    /** The main metric first, then accuracy where the model measures it. */
    static List<String> chartedMetrics(String metric, Map<String, Object> dense) {
        List<String> metrics = new ArrayList<>(List.of(metric));
        if (dense.get("accuracy") instanceof Number) {
            metrics.add("accuracy");
        }
        return metrics;
    }

    /**
     * One bar per method, named on the axis (labels slanted so long names such as "maskpro (wanda prior)" are not
     * dropped for overlapping their neighbours) and with its value printed on the bar.
     */
    static CategoryChart comparisonChart(Path png, String metric, List<Row> rows, Map<String, Object> dense)
            throws IOException {
        List<String> names = new ArrayList<>(List.of("dense"));
        List<Double> values = new ArrayList<>(List.of(((Number) dense.get(metric)).doubleValue()));
        for (Row r : rows) {
            names.add(r.run().method());
            values.add(((Number) r.metrics().get(metric)).doubleValue());
        }
        CategoryChart chart = new CategoryChartBuilder().width(800).height(560).title("Held-out " + metric)
                .xAxisTitle("method").yAxisTitle(metric).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.0###");
        chart.addSeries(metric, names, values);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return chart;
    }

    /** {steps so far, metric} after every stage that measured {@code metric} on held-out data. */
    static List<double[]> heldOutByStep(List<StageReport> stages, String metric) {
        List<double[]> points = new ArrayList<>();
        long steps = 0;
        for (StageReport s : stages) {
            steps += s.steps();
            if (s.heldOut() != null && s.heldOut().get(metric) instanceof Number value) {
                points.add(new double[] {steps, value.doubleValue()});
            }
        }
        return points;
    }

    private static void heldOutChart(Path png, String metric, List<double[]> points, double dense) throws IOException {
        double[] steps = points.stream().mapToDouble(p -> p[0]).toArray();
        XYChart chart = new XYChartBuilder().width(480).height(320).title("Held-out " + metric + " after each stage")
                .xAxisTitle("step").yAxisTitle(metric).build();
        chart.addSeries("pruned", steps, points.stream().mapToDouble(p -> p[1]).toArray());
        chart.addSeries("dense", new double[] {steps[0], steps[steps.length - 1]}, new double[] {dense, dense})
                .setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void historyCharts(Path dir, String name, List<StepRecord> history) throws IOException {
        double[] steps = history.stream().mapToDouble(StepRecord::step).toArray();
        XYChart residual = new XYChartBuilder().width(480).height(320).title("Loss residual r and tracker δ")
                .xAxisTitle("step").yAxisTitle("nats").build();
        residual.addSeries("residual r", steps, history.stream().mapToDouble(StepRecord::residual).toArray())
                .setMarker(SeriesMarkers.NONE);
        residual.addSeries("δ", steps, history.stream().mapToDouble(StepRecord::delta).toArray()).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(residual, dir.resolve(name + "-residual.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        XYChart changed = new XYChartBuilder().width(480).height(320).title("Sampled groups differing from the prior")
                .xAxisTitle("step").yAxisTitle("%").build();
        changed.addSeries("changed", steps, history.stream().mapToDouble(r -> 100 * r.changedShare()).toArray())
                .setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(changed, dir.resolve(name + "-changed.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
