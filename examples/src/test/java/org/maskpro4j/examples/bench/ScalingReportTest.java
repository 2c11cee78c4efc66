package org.maskpro4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingReportTest {

    /**
     * Points built from known laws: LLaMA step = 2e-8·w (slope 1), forward = 1e-7·w^0.8, learning memory = 1 MiB +
     * 12 bytes per weight over inference = 1 MiB + 4 bytes per weight. The fits and the 7B figures must give them back.
     */
    @Test
    void testFitsAndSevenBillion_FromKnownLaws() {
        List<ScalingBenchmark.Point> points = llamaPoints(w -> 2e-8 * w, w -> 1e-7 * Math.pow(w, 0.8),
                w -> (1 << 20) + 4 * w, w -> (1 << 20) + 12 * w);
        ScalingReport report = new ScalingReport(points, BenchConfig.builder().repeats(3).build(), Machine.now(), "test", 1.0);
        Map<String, LogLogFit> fits = report.fits("LLaMA");
        assertEquals(1.0, fits.get("step_cpu_s").slope(), 1e-9);
        assertEquals(0.8, fits.get("forward_cpu_s").slope(), 1e-9);
        assertTrue(report.fits("MLP").isEmpty());
        Map<String, Object> b7 = report.llama7b();
        long w7 = 6_476_005_376L;
        assertEquals(2e-8 * w7, (double) b7.get("step_cpu_s"), 2e-8 * w7 * 1e-6);
        assertEquals(8.0, (double) b7.get("state_bytes_per_weight"), 1e-3);
        double forward110 = 1e-7 * Math.pow(84_934_656L, 0.8);
        assertEquals(forward110 / 84_934_656L * w7, (double) b7.get("forward_cpu_s_linear"), 1e-6);
        assertEquals(2e-8 * w7, (double) b7.get("step_cpu_s_linear"), 2e-8 * w7 * 1e-6);
        assertEquals(4.0 * 6_738_415_616L + 8.0 * w7, (double) b7.get("learning_bytes"), 1e6);
        String md = report.toMarkdown();
        assertTrue(md.contains("| LLaMA | 1.000 (1.000) | 0.800 (1.000)"), md);
        assertTrue(md.contains("LLaMA-2-7B on paper"), md);
    }

    /**
     * Where a run's loss forwards need less working memory than the inference probe (the LLaMAs), learning minus
     * inference hides part of the state: the 7B figure must count at least the state itself.
     */
    @Test
    void testSevenBillion_CountsAtLeastTheLearningState() {
        List<ScalingBenchmark.Point> points = llamaPoints(w -> 2e-8 * w, w -> 1e-8 * w, w -> 4 * w, w -> 5 * w);
        Map<String, Object> b7 = new ScalingReport(points, BenchConfig.builder().repeats(3).build(), Machine.now(), "test",
                1.0).llama7b();
        assertEquals(3.0, (double) b7.get("state_bytes_per_weight"), 1e-9);
        assertEquals(4.0 * 6_738_415_616L + 3.0 * 6_476_005_376L, (double) b7.get("learning_bytes"), 1e6);
    }

    /**
     * One point per LLaMA size: step and forward CPU seconds (also as wall time) and working memory of inference and
     * learning as functions of the prunable weights, a learning state of 3 bytes per weight.
     */
    private static List<ScalingBenchmark.Point> llamaPoints(DoubleUnaryOperator stepSeconds,
            DoubleUnaryOperator forwardSeconds, LongUnaryOperator inferBytes, LongUnaryOperator learnBytes) {
        List<ScalingBenchmark.Point> points = new ArrayList<>();
        for (String size : ScalingModel.LLAMA_SIZES) {
            ScalingModel m = new ScalingModel(true, size);
            long w = m.prunableWeights();
            double step = stepSeconds.applyAsDouble(w);
            double forward = forwardSeconds.applyAsDouble(w);
            points.add(new ScalingBenchmark.Point(m, size, w, w / 4, 256, Spread.of(step), Spread.of(forward),
                    Spread.of(step), Spread.of(forward), Spread.of(step / forward), step - forward,
                    inferBytes.applyAsLong(w), learnBytes.applyAsLong(w), 3.0));
        }
        return points;
    }

    @Test
    void testWritePlot_WritesAPng(@TempDir Path dir) throws IOException {
        List<ScalingBenchmark.Point> points = new ArrayList<>();
        for (String size : ScalingModel.MLP_SIZES) {
            ScalingModel m = new ScalingModel(false, size);
            long w = m.prunableWeights();
            points.add(new ScalingBenchmark.Point(m, size, w, w / 4, 256, Spread.of(1e-7 * w), Spread.of(1e-9 * w),
                    Spread.of(1e-7 * w), Spread.of(1e-9 * w), Spread.of(100), 0.99e-7 * w, 4 * w, 20 * w, 3.0));
        }
        Path png = dir.resolve("scaling.png");
        new ScalingReport(points, BenchConfig.builder().build(), Machine.now(), "test", 1.0).writePlot(png);
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
    }
}
