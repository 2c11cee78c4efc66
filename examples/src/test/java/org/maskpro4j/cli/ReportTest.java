package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private static List<Report.Row> rows() {
        List<StepRecord> history = new ArrayList<>();
        for (long s = 1; s <= 20; s++) {
            history.add(new StepRecord(s, 0.5 - s * 0.01, 0.5, -s * 0.01, -s * 0.008, 0.01 * s));
        }
        List<Report.Row> rows = new ArrayList<>();
        String[] methods = {"magnitude", "wanda", "sparsegpt-mask", "sparsegpt", "maskpro (sparsegpt-mask prior)"};
        for (int i = 0; i < methods.length; i++) {
            List<StepRecord> h = methods[i].startsWith("maskpro") ? history : List.of();
            rows.add(new Report.Row(new MethodRun(methods[i], Map.of(), h.size(), h, 1.5 * i),
                    metrics(0.6 - 0.05 * i, 0.70 + 0.03 * i)));
        }
        return rows;
    }

    @Test
    void testWrite_ChartsLossAndAccuracyWithEveryMethodNamed(@TempDir Path dir) throws IOException {
        List<Report.Row> rows = rows();
        Path index = Report.write(dir, P24, rows, metrics(0.33, 0.88), new NmVerifier.Report(P24, List.of(), List.of()));

        String html = Files.readString(index);
        for (String png : List.of("methods.png", "methods-accuracy.png", "maskpro__sparsegpt-mask_prior_-residual.png")) {
            assertTrue(html.contains("src=\"" + png + "\""), png + " in the page");
            assertTrue(Files.size(dir.resolve(png)) > 1000, png + " drawn");
        }
        CategoryChart accuracy = Report.comparisonChart(dir.resolve("check.png"), "accuracy", rows, metrics(0.33, 0.88));
        List<?> names = new ArrayList<>(accuracy.getSeriesMap().get("accuracy").getXData());
        assertEquals(List.of("dense", "magnitude", "wanda", "sparsegpt-mask", "sparsegpt",
                "maskpro (sparsegpt-mask prior)"), names);
        assertTrue(accuracy.getStyler().isLabelsVisible(), "values printed on the bars");
    }

    @Test
    void testChartedMetrics_AccuracyOnlyWhereMeasured() {
        assertEquals(List.of("loss", "accuracy"), Report.chartedMetrics("loss", metrics(0.3, 0.9)));
        assertEquals(List.of("perplexity"), Report.chartedMetrics("perplexity", Map.of("perplexity", 40.0, "loss", 3.7)));
    }
}
