package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue acceptance for {@code --spark}: the sweep run as Spark tasks gives the local sweep's candidates and
 * scores, and {@code prune --spark local[2]} learns data-parallel and writes a strict model with its masks.
 */
class SparkCommandsTest {

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    private static List<String> sweepArgs(Path out) {
        return new ArrayList<>(List.of("sweep", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--pattern", "2:4", "--candidates", "2", "--seed", "7", "--lr", "100:1000",
                "--alpha", "0.9:0.99", "--logits", "6", "--samples", "2", "--steps", "6", "--prior", "magnitude",
                "--examples", "192", "--eval-examples", "300", "--out", out.toString(), "--json"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> candidates(Map<String, Object> json) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object c : (List<Object>) json.get("candidates")) {
            out.add(withoutSeconds(c));
        }
        return out;
    }

    /** A candidate as JSON without its wall time, the one field that may differ. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutSeconds(Object candidate) {
        Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) candidate);
        kept.remove("seconds");
        return kept;
    }

    @Test
    void sweepOnSparkGivesTheLocalSweepsCandidatesAndScores(@TempDir Path dir) {
        Map<String, Object> local = CliRun.of(sweepArgs(dir.resolve("local")).toArray(String[]::new)).assertExit(0).json();
        List<String> args = sweepArgs(dir.resolve("spark"));
        args.addAll(List.of("--spark", "local[2]"));
        Map<String, Object> spark = CliRun.of(args.toArray(String[]::new)).assertExit(0).json();
        List<Map<String, Object>> expected = candidates(local);
        assertEquals(2, expected.size(), local::toString);
        assertTrue(expected.stream().anyMatch(c -> "ok".equals(c.get("status"))), local::toString);
        assertEquals(expected, candidates(spark));
        assertEquals(withoutSeconds(local.get("best")), withoutSeconds(spark.get("best")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pruneOnSparkWritesAStrictModelAndItsMasks(@TempDir Path dir) {
        Path out = dir.resolve("pruned.zip");
        Map<String, Object> json = CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--steps", "4", "--samples", "2", "--examples", "128", "--batch", "64",
                "--eval-examples", "300", "--prior", "magnitude", "--spark", "local[2]", "--out", out.toString(), "--json")
                .assertExit(0).json();
        assertEquals("maskpro", json.get("method"));
        assertEquals(4, ((Number) json.get("steps")).intValue());
        assertTrue(Files.isRegularFile(out) && Files.isRegularFile(Path.of(json.get("masks").toString())), json::toString);
        assertTrue(((Number) ((Map<String, Object>) json.get("metrics")).get("groups")).longValue() > 0, json::toString);
        CliRun.of("verify", "--model", out.toString(), "--pattern", "2:4").assertExit(0);
    }
}
