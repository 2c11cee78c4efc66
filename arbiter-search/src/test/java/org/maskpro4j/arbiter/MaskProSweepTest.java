package org.maskpro4j.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

@Tag("slow")
class MaskProSweepTest {
    private static MlpTarget target;

    @BeforeAll
    static void trainTheMlp() {
        target = new MlpTarget(7);
    }

    /** η and α swept; C = 3 so that a short run can move groups away from the magnitude prior. */
    private static MaskProSpace etaAlphaSpace() {
        return MaskProSpace.builder()
                .learningRate(Spaces.logUniform(1, 300))
                .smoothing(Spaces.uniform(0.9, 0.999))
                .logitMagnitude(3).samplesPerStep(1).steps(60).examples(256)
                .prior("magnitude").pattern("2:4").seed(11).logEvery(60)
                .build();
    }

    private static SweepResult randomSweep(long seed, int candidates) {
        return MaskProSweep.builder().space(etaAlphaSpace()).candidates(candidates).seed(seed).grid(false).build()
                .run(target);
    }

    private static double magnitudePriorLoss() {
        MaskableModel<DataSet> model = target.freshModel(NmPattern.of(2, 4));
        try {
            Map<String, INDArray> masks = new MagnitudePrior().masks(model, List.of());
            model.weights().forEach(w -> w.applyMask(masks.get(w.name())));
            return target.score(model);
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    @Test
    @Timeout(120)
    void seededRandomSweepIsReproducibleAndItsBestIsNoWorseThanTheMagnitudePrior(@TempDir Path dir) throws Exception {
        double denseLoss = target.score(target.freshModel(NmPattern.of(2, 4)));
        SweepResult first = randomSweep(42, 8);
        SweepResult again = randomSweep(42, 8);
        SweepResult other = randomSweep(43, 1);

        assertEquals(8, first.records().size());
        for (SweepRecord r : first.records()) {
            assertTrue(r.ok(), "candidate failed: " + r);
            double eta = (Double) r.params().get("learningRate");
            double alpha = (Double) r.params().get("smoothing");
            assertTrue(eta >= 1 && eta <= 300 * (1 + 1e-12), "η outside [1, 300]: " + eta);
            assertTrue(alpha >= 0.9 && alpha <= 0.999, "α outside [0.9, 0.999]: " + alpha);
        }
        for (int i = 0; i < 8; i++) {
            SweepRecord a = first.records().get(i);
            SweepRecord b = again.records().get(i);
            assertEquals(a.params(), b.params(), "same seed, other candidate " + i);
            assertEquals(a.score(), b.score(), 0.0, "same seed, other score for candidate " + i);
        }
        assertNotEquals(first.records().get(0).params(), other.records().get(0).params(), "the seed is ignored");

        // the sweep leaves the user's network dense
        assertEquals(denseLoss, target.score(target.freshModel(NmPattern.of(2, 4))), 0.0);

        double priorLoss = magnitudePriorLoss();
        SweepRecord best = first.best().orElseThrow();
        first.records().forEach(r -> assertEquals(priorLoss, r.priorScore(), 1e-9, "prior score of " + r));
        assertTrue(best.score() <= priorLoss, "best " + best + " is worse than the magnitude prior " + priorLoss);
        assertTrue(first.records().stream().anyMatch(r -> r.changedFromPrior() > 0), "no candidate left the prior");
        System.out.printf("sweep best: η=%s α=%s loss %.5f vs magnitude prior %.5f, dense %.5f; %.2f s/candidate%n",
                best.params().get("learningRate"), best.params().get("smoothing"), best.score(), priorLoss, denseLoss,
                first.records().stream().mapToDouble(SweepRecord::seconds).average().orElseThrow());

        first.writeAll(dir);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("sweep.json").toFile());
        assertEquals(8, json.get("candidates").size());
        assertEquals("ok", json.get("candidates").get(0).get("status").asText());
        assertEquals(best.score(), json.get("best").get("score").asDouble(), 0.0);
        assertEquals((Double) best.params().get("learningRate"),
                json.get("best").get("params").get("learningRate").asDouble(), 0.0);

        List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
        assertEquals(9, csv.size());
        List<String> header = List.of(csv.get(0).split(","));
        int scoreCol = header.indexOf("score");
        int lrCol = header.indexOf("learningRate");
        String[] bestRow = csv.get(1 + best.index()).split(",");
        assertEquals(best.score(), Double.parseDouble(bestRow[scoreCol]), 0.0);
        assertEquals((Double) best.params().get("learningRate"), Double.parseDouble(bestRow[lrCol]), 0.0);

        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("best-maskpro.properties"), StandardCharsets.UTF_8)) {
            props.load(r);
        }
        MaskProConfig loaded = MethodSettings.fromProperties(props, Set.of("prior", "examples")).maskPro();
        MaskProCandidate bestCandidate = best.candidate().orElseThrow();
        assertEquals(bestCandidate.config().toProperties(), loaded.toProperties());
        assertEquals(bestCandidate, MaskProCandidate.fromProperties(props));

        String html = Files.readString(dir.resolve("sweep.html"));
        assertTrue(html.contains("<table") && html.contains("sweep.png"), html);
        byte[] png = Files.readAllBytes(dir.resolve("sweep.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
    }

    @Test
    @Timeout(60)
    void candidatesThatFailAreRecordedWithTheirReasonAndTheSweepGoesOn(@TempDir Path dir) throws Exception {
        // grid α ∈ {0.9, 1.0} × pattern ∈ {2:4, 1:3}: α = 1 is rejected by MaskProConfig when generated, and 1:3
        // does not fit the MLP's fan-in of 16 and 32, so only (0.9, 2:4) can run
        MaskProSpace space = MaskProSpace.builder()
                .learningRate(100).smoothing(Spaces.uniform(0.9, 1.0)).logitMagnitude(3).samplesPerStep(1)
                .steps(20).examples(128).prior("magnitude").pattern("2:4", "1:3").seed(11)
                .build();
        SweepResult result = MaskProSweep.builder().space(space).grid(true).gridPoints(2).build().run(target);

        assertEquals(4, result.records().size());
        assertEquals(3, result.failedCount());
        for (SweepRecord r : result.records()) {
            double alpha = ((Number) r.params().get("smoothing")).doubleValue();
            String pattern = (String) r.params().get("pattern");
            if (alpha == 1.0) {
                assertFalse(r.ok());
                assertTrue(r.reason().contains("smoothing α must be in [0, 1)"), r.reason());
                assertTrue(r.candidate().isEmpty());
            } else if (pattern.equals("1:3")) {
                assertFalse(r.ok());
                assertTrue(r.reason().contains("not a multiple of M=3"), r.reason());
            } else {
                assertTrue(r.ok(), r.toString());
                assertNull(r.reason());
                assertTrue(Double.isFinite(r.score()));
            }
        }
        result.writeAll(dir);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("sweep.json").toFile());
        long failedInJson = 0;
        for (JsonNode c : json.get("candidates")) {
            if (c.get("status").asText().equals("failed")) {
                failedInJson++;
                assertFalse(c.get("reason").asText().isBlank());
                assertTrue(c.get("score").isNull());
            }
        }
        assertEquals(3, failedInJson);
        assertEquals("2:4", json.get("best").get("params").get("pattern").asText());
    }
}
