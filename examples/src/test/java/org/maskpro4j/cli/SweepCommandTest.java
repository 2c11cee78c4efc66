package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue acceptance for the Arbiter sweep: {@code maskpro sweep} over η and α on the trained Fashion-MNIST CNN.
 * Every candidate runs (or fails with a reason), the same seed gives the same candidates and scores, the best
 * final mask is no worse on held-out loss than the magnitude prior every candidate starts from, and
 * {@code prune --config} with the best configuration reproduces the best candidate's score.
 */
@Tag("slow")
class SweepCommandTest {
    /** C and K from the demo's setting on this CNN; 40 steps is enough for the better η to move groups. */
    private static final List<String> SPACE = List.of("--lr", "100:1000", "--alpha", "0.9:0.99", "--logits", "6",
            "--samples", "4", "--steps", "40", "--prior", "magnitude", "--examples", "512", "--eval-examples", "2000");

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    private static CliRun sweep(Path out, int candidates) {
        List<String> args = new ArrayList<>(List.of("sweep", "--model", CliTestData.fashionCnn().toString(),
                "--data", CliTestData.FASHION.toString(), "--pattern", "2:4", "--candidates", Integer.toString(candidates),
                "--seed", "7", "--out", out.toString(), "--json"));
        args.addAll(SPACE);
        return CliRun.of(args.toArray(String[]::new)).assertExit(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void sweepOverEtaAndAlphaIsReproducibleAndItsBestBeatsTheMagnitudePrior(@TempDir Path dir) throws Exception {
        Map<String, Object> json = sweep(dir.resolve("sweep"), 6).json();
        List<Map<String, Object>> candidates = (List<Map<String, Object>>) json.get("candidates");
        assertEquals(6, candidates.size(), json::toString);
        double priorLoss = Double.NaN;
        for (Map<String, Object> c : candidates) {
            Map<String, Object> params = (Map<String, Object>) c.get("params");
            double eta = ((Number) params.get("learningRate")).doubleValue();
            double alpha = ((Number) params.get("smoothing")).doubleValue();
            assertTrue(eta >= 100 && eta <= 1000 * (1 + 1e-12) && alpha >= 0.9 && alpha <= 0.99, c::toString);
            if ("ok".equals(c.get("status"))) {
                assertNotNull(c.get("score"), c::toString);
                priorLoss = ((Number) c.get("priorScore")).doubleValue();
            } else {
                assertEquals("failed", c.get("status"), c::toString);
                assertFalse(String.valueOf(c.get("reason")).isBlank(), c::toString);
            }
        }
        Map<String, Object> best = (Map<String, Object>) json.get("best");
        assertNotNull(best, "at least one candidate ran: " + json);
        double bestLoss = ((Number) best.get("score")).doubleValue();
        System.out.println("Fashion CNN 2:4 sweep: magnitude prior " + priorLoss + " -> best " + best);
        assertTrue(bestLoss <= priorLoss, "best " + bestLoss + " vs magnitude prior " + priorLoss);
        for (String file : List.of("sweep.json", "sweep.csv", "sweep.html", "sweep.png", "best-maskpro.properties")) {
            assertTrue(Files.size(dir.resolve("sweep").resolve(file)) > 0, file);
        }

        // same seed: the same first candidate with the same score
        List<Map<String, Object>> again = (List<Map<String, Object>>) sweep(dir.resolve("again"), 1).json().get("candidates");
        for (int i = 0; i < again.size(); i++) {
            assertEquals(candidates.get(i).get("params"), again.get(i).get("params"), "candidate " + i);
            assertEquals(candidates.get(i).get("score"), again.get(i).get("score"), "score of candidate " + i);
        }

        // the best configuration is what prune --config runs, and it gives the best candidate's score
        Path out = dir.resolve("pruned.zip");
        Map<String, Object> pruned = CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--config", json.get("bestConfig").toString(), "--eval-examples", "2000",
                "--out", out.toString(), "--json").assertExit(0).json();
        assertEquals(40, ((Number) pruned.get("steps")).intValue());
        Map<String, Object> metrics = (Map<String, Object>) ((Map<String, Object>) pruned.get("metrics")).get("pruned");
        assertEquals(bestLoss, ((Number) metrics.get("loss")).doubleValue(), 1e-6);
    }
}
