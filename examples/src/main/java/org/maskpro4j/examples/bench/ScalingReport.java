package org.maskpro4j.examples.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What {@link ScalingBenchmark} measured, the log-log fits of each cost against the number of prunable weights per
 * model family, and what those fits and the measured learning state per weight put on paper for LLaMA-2-7B's shapes
 * ({@link ScalingModel#LLAMA2_7B}) on this machine, at the same tokens per batch.
 */
public record ScalingReport(List<ScalingBenchmark.Point> points, BenchConfig config, Machine machine, String command,
        double loadAtEnd) {
    /** The quantities fitted against prunable weights, with how each is read off a point. */
    private static final Map<String, ToDoubleFunction<ScalingBenchmark.Point>> FITTED = fitted();
    private static final double MIB = 1024.0 * 1024;
    private static final double GIB = MIB * 1024;

    public ScalingReport(List<ScalingBenchmark.Point> points, BenchConfig config, Machine machine, String command) {
        this(points, config, machine, command, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
    }

    public ScalingReport {
        points = List.copyOf(points);
    }

    private static Map<String, ToDoubleFunction<ScalingBenchmark.Point>> fitted() {
        Map<String, ToDoubleFunction<ScalingBenchmark.Point>> m = new LinkedHashMap<>();
        m.put("step_cpu_s", p -> p.stepCpu().median());
        m.put("forward_cpu_s", p -> p.forwardCpu().median());
        m.put("own_work_cpu_s", ScalingBenchmark.Point::ownCpu);
        m.put("learn_bytes", p -> p.learnBytes());
        m.put("infer_bytes", p -> p.inferBytes());
        return m;
    }

    /** The points of one family ("LLaMA", "MLP"), smallest first as measured. */
    public List<ScalingBenchmark.Point> family(String family) {
        return points.stream().filter(p -> p.model().family().equals(family)).toList();
    }

    /** Each fitted quantity's log-log fit against prunable weights, for a family with two or more sizes. */
    public Map<String, LogLogFit> fits(String family) {
        List<ScalingBenchmark.Point> f = family(family);
        Map<String, LogLogFit> out = new LinkedHashMap<>();
        if (f.stream().mapToLong(ScalingBenchmark.Point::weights).distinct().count() < 2) {
            return out;
        }
        double[] x = f.stream().mapToDouble(ScalingBenchmark.Point::weights).toArray();
        FITTED.forEach((name, value) -> out.put(name, LogLogFit.of(x, f.stream().mapToDouble(value).toArray())));
        return out;
    }

    /**
     * LLaMA-2-7B on paper, from the LLaMA fits and the largest LLaMA measured: step, forward and own-work CPU seconds
     * at the measured tokens per batch, by the fits and in proportion to weights from the largest model (slope 1: a
     * GEMM-bound forward and per-group work both grow so; the fits' slopes below 1 carry small models' fixed costs),
     * and the learning memory as the fp32 model plus, per prunable weight, the measured learning memory beyond
     * inference or the learning state, whichever is larger. Empty without
     * two LLaMA sizes.
     */
    public Map<String, Object> llama7b() {
        Map<String, LogLogFit> fits = fits("LLaMA");
        Map<String, Object> m = new LinkedHashMap<>();
        if (fits.isEmpty()) {
            return m;
        }
        List<ScalingBenchmark.Point> llamas = family("LLaMA");
        ScalingBenchmark.Point largest = llamas.get(llamas.size() - 1);
        long weights = ScalingModel.llamaPrunableWeights(ScalingModel.LLAMA2_7B);
        long parameters = ScalingModel.llamaParameters(ScalingModel.LLAMA2_7B);
        m.put("prunable_weights", weights);
        m.put("parameters", parameters);
        m.put("tokens_per_batch", largest.tokens());
        m.put("step_cpu_s", fits.get("step_cpu_s").predict(weights));
        m.put("forward_cpu_s", fits.get("forward_cpu_s").predict(weights));
        m.put("own_work_cpu_s", fits.get("own_work_cpu_s").predict(weights));
        double forwardLinear = largest.forwardCpu().median() / largest.weights() * weights;
        double ownLinear = largest.ownCpu() / largest.weights() * weights;
        m.put("forward_cpu_s_linear", forwardLinear);
        m.put("own_work_cpu_s_linear", ownLinear);
        m.put("step_cpu_s_linear", forwardLinear + ownLinear);
        m.put("state_bytes_per_weight", largest.bytesPerWeightToScale());
        m.put("model_fp32_bytes", 4 * parameters);
        m.put("learning_state_bytes", largest.bytesPerWeightToScale() * weights);
        m.put("learning_bytes", 4.0 * parameters + largest.bytesPerWeightToScale() * weights);
        m.put("learning_bytes_fit", fits.get("learn_bytes").predict(weights));
        return m;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pattern", config.pattern().toString());
        out.put("repeats", config.repeats());
        out.put("points", points.stream().map(ScalingReport::pointJson).toList());
        Map<String, Object> slopes = new LinkedHashMap<>();
        for (String family : List.of("LLaMA", "MLP")) {
            Map<String, Object> f = new LinkedHashMap<>();
            fits(family).forEach((k, v) -> f.put(k, Map.of("slope", v.slope(), "intercept", v.intercept(), "r2", v.r2())));
            if (!f.isEmpty()) {
                slopes.put(family, f);
            }
        }
        out.put("log_log_fits", slopes);
        out.put("llama2_7b", llama7b());
        out.put("machine", machine.toJson());
        out.put("load_average_at_end", loadAtEnd);
        out.put("date", machine.date());
        out.put("command", command);
        return out;
    }

    private static Map<String, Object> pointJson(ScalingBenchmark.Point p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", p.model().cliName());
        m.put("name", p.name());
        m.put("prunable_weights", p.weights());
        m.put("groups", p.groups());
        m.put("tokens_per_batch", p.tokens());
        m.put("step_cpu_s", p.stepCpu().toJson());
        m.put("forward_cpu_s", p.forwardCpu().toJson());
        m.put("step_wall_s", p.stepWall().toJson());
        m.put("forward_wall_s", p.forwardWall().toJson());
        m.put("step_over_forward_cpu", p.stepOverForwardCpu().toJson());
        m.put("own_work_cpu_s", p.ownCpu());
        m.put("groups_per_s", p.groupsPerSecond());
        m.put("infer_bytes", p.inferBytes());
        m.put("learn_bytes", p.learnBytes());
        m.put("state_bytes_per_weight", p.stateBytesPerWeight());
        return m;
    }

    public String toMarkdown() {
        StringBuilder s = new StringBuilder();
        s.append("Machine: ").append(machine.describe()).append(String.format(", %.2f at the end", loadAtEnd))
                .append(". Pattern ").append(config.pattern()).append("; times are the main thread's CPU seconds, median of ")
                .append(config.repeats()).append(" side-by-side samples (wall time in brackets); memory is working memory,"
                        + " one child JVM per probe, median of ").append(config.memoryRuns()).append(" run(s).\n\n");
        s.append("| model | prunable weights | tokens per batch | forward s | step s | step ÷ forward (CPU) | own work s |"
                + " groups/s | inference MiB | learning MiB | learning ÷ inference | state bytes per weight |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ScalingBenchmark.Point p : points) {
            s.append(String.format("| %s | %,d | %d | %.3f (%.3f) | %.3f (%.3f) | %.2f (%.2f–%.2f) | %.3f | %.3g | %.1f |"
                    + " %.1f | %.2f | %.1f |%n", p.model().cliName(), p.weights(), p.tokens(), p.forwardCpu().median(),
                    p.forwardWall().median(), p.stepCpu().median(), p.stepWall().median(), p.stepOverForwardCpu().median(),
                    p.stepOverForwardCpu().min(), p.stepOverForwardCpu().max(), p.ownCpu(), p.groupsPerSecond(),
                    p.inferBytes() / MIB, p.learnBytes() / MIB, (double) p.learnBytes() / p.inferBytes(),
                    p.stateBytesPerWeight()));
        }
        s.append("\nLog-log slopes against prunable weights (least squares on ln–ln; r² in brackets):\n\n")
                .append("| family | step | forward | own work | learning memory | inference memory |\n|---|---:|---:|---:|---:|---:|\n");
        for (String family : List.of("LLaMA", "MLP")) {
            Map<String, LogLogFit> f = fits(family);
            if (!f.isEmpty()) {
                s.append("| ").append(family);
                for (LogLogFit fit : f.values()) {
                    s.append(String.format(" | %.3f (%.3f)", fit.slope(), fit.r2()));
                }
                s.append(" |\n");
            }
        }
        Map<String, Object> b7 = llama7b();
        if (!b7.isEmpty()) {
            s.append(String.format("%nLLaMA-2-7B on paper (%,d prunable weights, %,d parameters), %d tokens per batch, one"
                            + " core of this machine, in proportion to weights from the largest LLaMA: forward %.0f s, step"
                            + " %.0f s, own work %.0f s; by the log-log fits: forward %.0f s, step %.0f s, own work %.0f s;"
                            + " learning memory %.1f GiB = fp32 model %.1f GiB + learning state"
                            + " %.1f GiB (%.1f bytes per prunable weight: the largest LLaMA's learning memory beyond inference, or its"
                            + " learning state where that is larger); by the memory fit"
                            + " %.1f GiB.%n",
                    b7.get("prunable_weights"), b7.get("parameters"), b7.get("tokens_per_batch"),
                    b7.get("forward_cpu_s_linear"), b7.get("step_cpu_s_linear"), b7.get("own_work_cpu_s_linear"),
                    b7.get("forward_cpu_s"), b7.get("step_cpu_s"), b7.get("own_work_cpu_s"),
                    (double) b7.get("learning_bytes") / GIB, ((Long) b7.get("model_fp32_bytes")) / GIB,
                    (double) b7.get("learning_state_bytes") / GIB, b7.get("state_bytes_per_weight"),
                    (double) b7.get("learning_bytes_fit") / GIB));
        }
        return s.toString();
    }

    /** Step and forward CPU time against prunable weights, log-log, with the LLaMA step fit drawn out to 7B. */
    public void writePlot(Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("MaskPro step and forward against model size (CPU time, one thread)")
                .xAxisTitle("prunable weights").yAxisTitle("CPU seconds per batch").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String family : List.of("LLaMA", "MLP")) {
            List<ScalingBenchmark.Point> f = family(family);
            if (f.isEmpty()) {
                continue;
            }
            double[] x = f.stream().mapToDouble(ScalingBenchmark.Point::weights).toArray();
            chart.addSeries(family + " step", x, f.stream().mapToDouble(p -> p.stepCpu().median()).toArray());
            chart.addSeries(family + " forward", x, f.stream().mapToDouble(p -> p.forwardCpu().median()).toArray());
            chart.addSeries(family + " step's own work", x, f.stream().mapToDouble(ScalingBenchmark.Point::ownCpu).toArray());
        }
        Map<String, LogLogFit> llama = fits("LLaMA");
        if (!llama.isEmpty()) {
            double from = family("LLaMA").get(0).weights();
            double to = ScalingModel.llamaPrunableWeights(ScalingModel.LLAMA2_7B);
            for (String q : List.of("step_cpu_s", "forward_cpu_s")) {
                LogLogFit fit = llama.get(q);
                XYSeries line = chart.addSeries(String.format("LLaMA %s fit, slope %.2f, to 7B", q.replace("_cpu_s", ""),
                        fit.slope()), new double[] {from, to}, new double[] {fit.predict(from), fit.predict(to)});
                line.setMarker(SeriesMarkers.NONE);
                line.setLineStyle(SeriesLines.DASH_DASH);
            }
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
