package org.maskpro4j.examples.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** What {@link InferenceBenchmark} measured: JSON, a Markdown table and a PNG of speed-up against batch size. */
public record InferenceReport(List<InferenceBenchmark.KernelRow> kernel, Map<String, Double> weightBytesRatio,
        List<InferenceBenchmark.GenerationRow> generation, String implementation, int threads, Machine machine) {

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inference", kernel.stream().map(InferenceBenchmark.KernelRow::toJson).toList());
        m.put("weight_bytes_ratio", weightBytesRatio);
        m.put("generation", generation.stream().map(InferenceBenchmark.GenerationRow::toJson).toList());
        m.put("kernel", implementation);
        m.put("kernel_threads", threads);
        m.put("machine", machine.toJson());
        return m;
    }

    public String toMarkdown() {
        StringBuilder s = new StringBuilder();
        s.append("Machine: ").append(machine.describe()).append("; N:M kernel ").append(implementation).append(" on ")
                .append(threads).append(" threads.\n\n");
        s.append("| pattern | shape (out×in) | batch | ND4J dense ms | N:M ms | speed-up |\n|---|---|---:|---:|---:|---:|\n");
        for (InferenceBenchmark.KernelRow r : kernel) {
            s.append(String.format("| %s | %s | %d | %.3f | %.3f | %.2f× (%.2f–%.2f) |%n", r.pattern(), r.shape(), r.batch(),
                    r.denseMs().median(), r.nmMs().median(), r.speedup().median(), r.speedup().min(), r.speedup().max()));
        }
        s.append("\nWeight bytes, N:M ÷ dense fp32: ");
        weightBytesRatio.forEach((p, r) -> s.append(String.format("%s %.4f; ", p, r)));
        s.append("\n");
        if (!generation.isEmpty()) {
            s.append("\n| model (random weights) | pattern | tokens | dense tok/s | N:M tok/s | speed-up | matrix MiB dense → N:M |\n")
                    .append("|---|---|---:|---:|---:|---:|---|\n");
            for (InferenceBenchmark.GenerationRow g : generation) {
                s.append(String.format("| %s | %s | %d | %.1f | %.1f | %.2f× (%.2f–%.2f) | %.1f → %.1f |%n", g.model(),
                        g.pattern(), g.tokens(), g.denseTokensPerSecond().median(), g.nmTokensPerSecond().median(),
                        g.speedup().median(), g.speedup().min(), g.speedup().max(), g.denseMatrixBytes() / 1048576.0,
                        g.nmMatrixBytes() / 1048576.0));
            }
        }
        return s.toString();
    }

    /** Speed-up against batch size, one line per pattern and shape, with the break-even line at 1. */
    public void writePlot(Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title("N:M kernel ÷ ND4J dense (higher is faster)")
                .xAxisTitle("batch size").yAxisTitle("speed-up").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        TreeSet<Integer> batches = new TreeSet<>();
        Map<String, List<InferenceBenchmark.KernelRow>> series = new LinkedHashMap<>();
        for (InferenceBenchmark.KernelRow r : kernel) {
            series.computeIfAbsent(r.pattern() + " " + r.shape(), k -> new ArrayList<>()).add(r);
            batches.add(r.batch());
        }
        series.forEach((name, rows) -> chart.addSeries(name, rows.stream().mapToDouble(InferenceBenchmark.KernelRow::batch).toArray(),
                rows.stream().mapToDouble(r -> r.speedup().median()).toArray()));
        if (!batches.isEmpty()) {
            chart.addSeries("break-even", new double[] {batches.first(), batches.last()}, new double[] {1, 1})
                    .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
