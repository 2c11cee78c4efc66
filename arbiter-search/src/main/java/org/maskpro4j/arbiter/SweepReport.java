package org.maskpro4j.arbiter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A self-contained HTML summary of a sweep: a table of every candidate and a PNG with the score against η (log
 * axis) and against α, one colour per prior, the best candidate marked. Arbiter's own UI would need
 * deeplearning4j-core and a web server.
 */
public final class SweepReport {
    private SweepReport() {
    }

    /** Writes {@code html} and, next to it, the chart as a PNG of the same base name. */
    public static void write(SweepResult result, Path html) throws IOException {
        String base = html.getFileName().toString().replaceFirst("\\.html?$", "");
        Path png = html.resolveSibling(base + ".png");
        boolean charted = writeChart(result, png);
        Files.writeString(html, html(result, charted ? png.getFileName().toString() : null), StandardCharsets.UTF_8);
    }

    /** @return false when no candidate ran, so there is nothing to plot */
    static boolean writeChart(SweepResult result, Path png) throws IOException {
        List<SweepRecord> ok = result.records().stream().filter(SweepRecord::ok).toList();
        if (ok.isEmpty()) {
            return false;
        }
        XYChart byLr = chart("Score vs learning rate η", "η (log scale)", result.scoreName());
        byLr.getStyler().setXAxisLogarithmic(true);
        XYChart bySmoothing = chart("Score vs smoothing α", "α", result.scoreName());
        Map<String, List<SweepRecord>> byPrior = new LinkedHashMap<>();
        ok.forEach(r -> byPrior.computeIfAbsent(String.valueOf(r.params().get(MaskProCandidate.PRIOR)),
                k -> new ArrayList<>()).add(r));
        byPrior.forEach((prior, rs) -> {
            addSeries(byLr, "prior " + prior, rs, MaskProSpace.LEARNING_RATE);
            addSeries(bySmoothing, "prior " + prior, rs, MaskProSpace.SMOOTHING);
        });
        List<SweepRecord> best = List.of(result.best().orElseThrow());
        addSeries(byLr, "best", best, MaskProSpace.LEARNING_RATE).setMarker(SeriesMarkers.DIAMOND);
        addSeries(bySmoothing, "best", best, MaskProSpace.SMOOTHING).setMarker(SeriesMarkers.DIAMOND);
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(List.of(byLr, bySmoothing), 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
        }
        return true;
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(9);
        return c;
    }

    private static XYSeries addSeries(XYChart chart, String name, List<SweepRecord> rs, String param) {
        double[] x = rs.stream().mapToDouble(r -> ((Number) r.params().get(param)).doubleValue()).toArray();
        double[] y = rs.stream().mapToDouble(SweepRecord::score).toArray();
        return chart.addSeries(name, x, y);
    }

    static String html(SweepResult result, String pngName) {
        Set<String> keys = new LinkedHashSet<>();
        result.records().forEach(r -> keys.addAll(r.params().keySet()));
        int bestIndex = result.best().map(SweepRecord::index).orElse(-1);
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>MaskPro sweep</title>\n<style>")
                .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td.t{text-align:left}")
                .append("tr.best{background:#dfd;font-weight:bold}tr.failed{color:#a33}</style></head><body>\n")
                .append("<h1>MaskPro sweep</h1>\n<p>").append(esc(result.search())).append(" in ")
                .append(String.format(Locale.ROOT, "%.1f", result.seconds())).append(" s; ")
                .append(result.failedCount()).append(" of ").append(result.records().size())
                .append(" candidates failed. Score: ")
                .append(esc(result.scoreName())).append(" of the final mask (lower is better).</p>\n");
        result.best().ifPresentOrElse(b -> h.append("<p>Best: candidate ").append(b.index()).append(", ")
                        .append(esc(result.scoreName())).append(' ').append(String.format(Locale.ROOT, "%.5f", b.score()))
                        .append(" (its prior: ").append(String.format(Locale.ROOT, "%.5f", b.priorScore())).append("), ")
                        .append(esc(b.params().toString())).append("</p>\n"),
                () -> h.append("<p><b>Every candidate failed</b>; see the reasons below.</p>\n"));
        if (pngName != null) {
            h.append("<p><img src=\"").append(esc(pngName)).append("\" alt=\"score vs η and α\"></p>\n");
        }
        h.append("<table>\n<tr><th>#</th><th>status</th><th>score</th><th>prior score</th><th>changed</th><th>s</th>");
        keys.forEach(k -> h.append("<th>").append(esc(k)).append("</th>"));
        h.append("<th>reason</th></tr>\n");
        for (SweepRecord r : result.records()) {
            h.append("<tr").append(r.index() == bestIndex ? " class=\"best\"" : r.ok() ? "" : " class=\"failed\"")
                    .append("><td>").append(r.index()).append("</td><td class=\"t\">").append(r.status())
                    .append("</td><td>").append(num(r.score(), "%.5f")).append("</td><td>")
                    .append(num(r.priorScore(), "%.5f")).append("</td><td>")
                    .append(num(100 * r.changedFromPrior(), "%.2f%%")).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f", r.seconds())).append("</td>");
            for (String k : keys) {
                Object v = r.params().get(k);
                String text = v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v == null ? "" : v.toString();
                h.append("<td>").append(esc(text)).append("</td>");
            }
            h.append("<td class=\"t\">").append(r.reason() == null ? "" : esc(r.reason())).append("</td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    private static String num(double v, String format) {
        return Double.isFinite(v) ? String.format(format, v) : "";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
