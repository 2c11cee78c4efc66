package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.method.StageReport;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.verify.NmVerifier;

/** The report names every method's bar and charts accuracy next to the loss. */
class ReportTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private static Map<String, Object> metrics(double loss, double accuracy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        m.put("examples", 10_000L);
        return m;
    }

    private static StageReport stage(String name, long steps, Map<String, Object> heldOut) {
        return new StageReport(name, heldOut, 1.0, null, steps, Map.of());
    }

    private static List<Report.Row> rows() {
        List<StepRecord> history = new ArrayList<>();
        for (long s = 1; s <= 20; s++) {
            history.add(new StepRecord(s, 0.5 - s * 0.01, 0.5, -s * 0.01, -s * 0.008, 0.01 * s, 0.01));
        }
        List<Report.Row> rows = new ArrayList<>();
        String[] methods = {"magnitude", "wanda", "sparsegpt-mask", "sparsegpt", "maskpro (sparsegpt-mask prior)"};
        for (int i = 0; i < methods.length; i++) {
            boolean maskpro = methods[i].startsWith("maskpro");
            List<StepRecord> h = maskpro ? history : List.of();
            Map<String, Object> after = metrics(0.6 - 0.05 * i, 0.70 + 0.03 * i);
            List<StageReport> stages = maskpro
                    ? List.of(stage("prior", 0, metrics(0.5, 0.76)), stage("maskpro", 20, null), stage("verify", 0, after))
                    : List.of(stage(methods[i], 0, after));
            rows.add(new Report.Row(new MethodRun(methods[i], h.size(), h, 1.5 * i, stages), after));
        }
        return rows;
    }

    @Test
    void testWrite_ChartsLossAndAccuracyWithEveryMethodNamed(@TempDir Path dir) throws IOException {
        List<Report.Row> rows = rows();
        Path index = Report.write(dir, P24, rows, metrics(0.33, 0.88), new NmVerifier.Report(P24, List.of(), List.of()));

        String html = Files.readString(index);
        for (String png : List.of("methods.png", "methods-accuracy.png", "maskpro__sparsegpt-mask_prior_-residual.png",
                "maskpro__sparsegpt-mask_prior_-heldout.png")) {
            assertTrue(html.contains("src=\"" + png + "\""), png + " in the page");
            assertTrue(Files.size(dir.resolve(png)) > 1000, png + " drawn");
        }
        CategoryChart accuracy = Report.comparisonChart(dir.resolve("check.png"), "accuracy", rows, metrics(0.33, 0.88));
        List<?> names = new ArrayList<>(accuracy.getSeriesMap().get("accuracy").getXData());
        assertEquals(List.of("dense", "magnitude", "wanda", "sparsegpt-mask", "sparsegpt",
                "maskpro (sparsegpt-mask prior)"), names);
        assertTrue(accuracy.getStyler().isLabelsVisible(), "values printed on the bars");
        assertFalse(html.contains("wanda-heldout.png"), "one measurement is no curve");
    }

    @Test
    void testHeldOutByStep_PointsAfterMeasuredStages() {
        List<StageReport> stages = List.of(stage("prior", 0, metrics(0.5, 0.7)), stage("maskpro", 150, null),
                stage("finetune", 50, metrics(0.4, 0.8)));
        List<double[]> points = Report.heldOutByStep(stages, "loss");
        assertEquals(2, points.size());
        assertArrayEquals(new double[] {0, 0.5}, points.get(0));
        assertArrayEquals(new double[] {200, 0.4}, points.get(1));
        assertTrue(Report.heldOutByStep(stages, "perplexity").isEmpty());
    }

    @Test
    void testChartedMetrics_AccuracyOnlyWhereMeasured() {
        assertEquals(List.of("loss", "accuracy"), Report.chartedMetrics("loss", metrics(0.3, 0.9)));
        assertEquals(List.of("perplexity"), Report.chartedMetrics("perplexity", Map.of("perplexity", 40.0, "loss", 3.7)));
    }
}
