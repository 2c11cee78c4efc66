package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.testing.RequiredData;

/**
 * {@code prune --update-weights --finetune}: a mask, then reconstruction, then masked fine-tuning, each reported; the
 * written model still verifies strictly N:M and scores what the last stage measured.
 */
class RecoveryCommandsTest {

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    @Test
    void fashionCnnRecoversUnderAFixedMaskThroughItsOwnFit(@TempDir Path dir) {
        Path out = dir.resolve("pruned.zip");
        Map<String, Object> json = CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--method", "magnitude", "--pattern", "2:4", "--examples", "256",
                "--eval-examples", "500", "--finetune", "30", "--finetune-examples", "1920", "--finetune-lr", "5e-4",
                "--out", out.toString(), "--json").assertExit(0).json();
        List<Map<String, Object>> stages = stages(json);
        assertEquals(List.of("mask", "finetune", "verify", "export"), stages.stream().map(s -> s.get("stage")).toList());
        double tuned = loss(stages.get(1));
        assertTrue(tuned < 0.9 * loss(stages.get(0)), "fine-tuning lowers the held-out loss: " + stages);
        assertTrue(((Number) details(stages.get(1)).get("optimizerStateBytes")).longValue() > 0, stages.get(1)::toString);
        verifiesAndScores(List.of("--model", out.toString()), tuned, "--data", CliTestData.FASHION.toString(),
                "--eval-examples", "500");
    }

    @Test
    void llamaRecoversThroughItsDifferentiableGraph(@TempDir Path dir) {
        Path model = RequiredData.shared("llama2c/stories260K.bin");
        Path train = RequiredData.shared("llama2c/tinystories_train.txt");
        Path valid = RequiredData.shared("llama2c/tinystories_valid.txt");
        Path out = dir.resolve("pruned.bin");
        Map<String, Object> json = CliRun.of("prune", "--model", model.toString(), "--data", train.toString(), "--valid",
                valid.toString(), "--method", "magnitude", "--pattern", "2:4", "--examples", "16", "--batch", "8",
                "--eval-examples", "16", "--update-weights", "--finetune", "8", "--finetune-examples", "32",
                "--finetune-distill", "0.5", "--finetune-schedule", "cosine", "--finetune-warmup", "2",
                "--checkpoint", dir.resolve("ckpt").toString(), "--out", out.toString(), "--json").assertExit(0).json();
        List<Map<String, Object>> stages = stages(json);
        assertEquals(List.of("mask", "reconstruct", "finetune", "verify", "export"),
                stages.stream().map(s -> s.get("stage")).toList());
        assertTrue(loss(stages.get(1)) < loss(stages.get(0)), "reconstruction lowers the held-out loss: " + stages);
        assertTrue(loss(stages.get(2)) < loss(stages.get(1)), "fine-tuning lowers it further: " + stages);
        assertTrue(dir.resolve("ckpt").resolve("finetune.ckpt").toFile().isFile(), "fine-tuning checkpoint written");
        assertTrue(details(stages.get(2)).get("optimizer").toString().contains("cosine, warmup 2"), stages.get(2)::toString);
        assertTrue(details(stages.get(2)).get("optimizer").toString().contains("distillation λ=0.5"), stages.get(2)::toString);
        List<String> saved = List.of("--model", out.toString(), "--tokenizer",
                RequiredData.shared("llama2c/tok512.bin").toString());
        verifiesAndScores(saved, loss(stages.get(2)), "--data", valid.toString(), "--eval-examples", "16");
    }

    @Test
    void distillationIsRefusedForDl4jNetworksInOneLine(@TempDir Path dir) {
        String line = CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--method", "magnitude", "--pattern", "2:4", "--examples", "64",
                "--eval-examples", "64", "--finetune", "2", "--finetune-distill", "0.5", "--out", dir.resolve("unused.zip").toString())
                .assertUserError();
        assertTrue(line.contains("--finetune-distill") && line.contains("llama2.c"), line);
        assertFalse(dir.resolve("unused.zip").toFile().exists(), "nothing written");
    }

    @Test
    void maskLlmRunsOnALlama2cFile(@TempDir Path dir) {
        Path out = dir.resolve("maskllm.bin");
        Map<String, Object> json = CliRun.of("prune", "--model", RequiredData.shared("llama2c/stories260K.bin").toString(),
                "--data", RequiredData.shared("llama2c/tinystories_train.txt").toString(), "--method", "maskllm",
                "--prior", "magnitude", "--steps", "2", "--pattern", "2:4", "--examples", "8", "--batch", "4",
                "--eval-examples", "8", "--out", out.toString(), "--json").assertExit(0).json();
        assertEquals("maskllm", json.get("method"));
        assertEquals(2, ((Number) json.get("steps")).intValue());
        Map<String, Object> verified = CliRun.of("verify", "--model", out.toString(), "--tokenizer",
                RequiredData.shared("llama2c/tok512.bin").toString(), "--pattern", "2:4", "--json").assertExit(0).json();
        assertEquals(Boolean.TRUE, verified.get("strict"), verified::toString);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> stages(Map<String, Object> json) {
        return (List<Map<String, Object>>) json.get("stages");
    }

    private static double loss(Map<String, Object> stage) {
        return ((Number) ((Map<?, ?>) stage.get("heldOut")).get("loss")).doubleValue();
    }

    private static Map<?, ?> details(Map<String, Object> stage) {
        return (Map<?, ?>) stage.get("details");
    }

    /** The saved model passes {@code verify} (no pruned weight came back) and evaluates to the last stage's loss. */
    private static void verifiesAndScores(List<String> saved, double loss, String... evalData) {
        List<String> verify = new ArrayList<>(List.of("verify", "--pattern", "2:4", "--json"));
        verify.addAll(saved);
        Map<String, Object> verified = CliRun.of(verify.toArray(String[]::new)).assertExit(0).json();
        assertEquals(Boolean.TRUE, verified.get("strict"), verified::toString);
        List<String> eval = new ArrayList<>(List.of("eval", "--json"));
        eval.addAll(saved);
        eval.addAll(List.of(evalData));
        Map<String, Object> scored = CliRun.of(eval.toArray(String[]::new)).assertExit(0).json();
        assertEquals(loss, ((Number) scored.get("loss")).doubleValue(), 1e-4);
    }
}
