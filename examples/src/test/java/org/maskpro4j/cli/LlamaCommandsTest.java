package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaNames;
import org.maskpro4j.examples.llama.Perplexity;
import org.maskpro4j.examples.llama.PerplexityEvaluator;
import org.maskpro4j.testing.RequiredData;

/** {@code eval}, {@code prune} and {@code verify} on the llama2.c stories260K model and TinyStories text. */
@Tag("slow")
class LlamaCommandsTest {

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    private static Path model() {
        return RequiredData.shared("llama2c/stories260K.bin");
    }

    private static Path valid() {
        return RequiredData.shared("llama2c/tinystories_valid.txt");
    }

    @Test
    void evalGivesThePerplexityOfTheSameParagraphsAsPerplexityEvaluator() throws IOException {
        Map<String, Object> json = CliRun.of("eval", "--model", model().toString(), "--data", valid().toString(),
                "--eval-examples", "100", "--json").assertExit(0).json();
        assertEquals(List.of("loss", "perplexity", "tokens"), List.copyOf(json.keySet()));

        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(model());
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(RequiredData.shared("llama2c/tok512.bin"),
                checkpoint.config().vocabSize());
        LlamaGraph graph = LlamaGraph.build(checkpoint);
        List<int[]> sequences = LlamaBatches.encode(LlamaBatches.readParagraphs(valid()).subList(0, 100), tokenizer,
                checkpoint.config().seqLen());
        // another batching than the command's, so only the sum over the same tokens can agree
        Perplexity expected = PerplexityEvaluator.forSequences(graph, sequences, 1024).evaluate();
        assertEquals(expected.tokens(), ((Number) json.get("tokens")).longValue());
        assertEquals(expected.perplexity(), ((Number) json.get("perplexity")).doubleValue(), 1e-4 * expected.perplexity());
        assertEquals(expected.meanNll(), ((Number) json.get("loss")).doubleValue(), 1e-5);
    }

    @Test
    void magnitudePruneWritesALlama2cFileThatReloadsVerifiesAndScoresTheSame(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("stories260K-2of4.bin");
        Map<String, Object> json = prune("magnitude", out, "--examples", "16");
        assertEquals("magnitude", json.get("method"));
        Map<?, ?> pruned = (Map<?, ?>) ((Map<?, ?>) json.get("metrics")).get("pruned");
        Map<?, ?> dense = (Map<?, ?>) ((Map<?, ?>) json.get("metrics")).get("dense");
        assertTrue(((Number) pruned.get("perplexity")).doubleValue() > ((Number) dense.get("perplexity")).doubleValue(),
                "pruning half of every matrix costs perplexity: " + json);

        Llama2cCheckpoint original = Llama2cCheckpoint.read(model());
        Llama2cCheckpoint written = Llama2cCheckpoint.read(out);
        assertEquals(Files.size(model()), Files.size(out), "same llama2.c layout");
        assertEquals(original.tensor(LlamaNames.TOKEN_EMBEDDING), written.tensor(LlamaNames.TOKEN_EMBEDDING), "embedding kept");
        String wq = LlamaNames.layer(0, "wq");
        assertEquals(written.tensor(wq).length() / 2, written.tensor(wq).neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT32)
                .sumNumber().longValue(), "half of layers.0.wq is zero");

        Map<String, Object> verified = CliRun.of("verify", "--model", out.toString(), "--tokenizer",
                RequiredData.shared("llama2c/tok512.bin").toString(), "--pattern", "2:4", "--json").assertExit(0).json();
        assertEquals(true, verified.get("strict"));
        assertEquals(35, ((List<?>) verified.get("layers")).size(), "7 matrices in each of 5 layers");

        Map<String, Object> reEval = CliRun.of("eval", "--model", out.toString(), "--tokenizer",
                RequiredData.shared("llama2c/tok512.bin").toString(), "--data", valid().toString(), "--eval-examples", "20",
                "--json").assertExit(0).json();
        assertEquals(((Number) pruned.get("perplexity")).doubleValue(), ((Number) reEval.get("perplexity")).doubleValue(),
                1e-4 * ((Number) reEval.get("perplexity")).doubleValue(), "the file computes what prune measured");
    }

    @Test
    void wandaPruneCalibratesOnTrainingParagraphs(@TempDir Path dir) {
        Path out = dir.resolve("wanda.bin");
        Map<String, Object> json = prune("wanda", out, "--examples", "16", "--batch", "16");
        assertEquals("wanda", json.get("method"));
        assertEquals(true, CliRun.of("verify", "--model", out.toString(), "--tokenizer",
                RequiredData.shared("llama2c/tok512.bin").toString(), "--pattern", "2:4", "--json").assertExit(0)
                .json().get("strict"));
    }

    @Test
    void llamaResultsReconstructionRowRecoversWhatSparseGptsMaskLost() {
        String table = CliRun.of("llama-results", "--data", model().getParent().toString(), "--patterns", "2:4",
                "--rows", "sparsegpt,sparsegpt+reconstruct").assertExit(0).stdout();
        double maskOnly = perplexityOfRow(table, "SparseGPT, mask only");
        double reconstructed = perplexityOfRow(table, "SparseGPT mask + reconstruction");
        assertTrue(reconstructed < 0.9 * maskOnly, () -> "re-fitting the kept weights lowers perplexity: " + table);
    }

    private static double perplexityOfRow(String table, String method) {
        for (String line : table.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length > 3 && cells[1].strip().equals(method)) {
                return Double.parseDouble(cells[3].strip());
            }
        }
        throw new AssertionError("No row \"" + method + "\" in " + table);
    }

    private static Map<String, Object> prune(String method, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("prune", "--model", model().toString(), "--data",
                RequiredData.shared("llama2c/tinystories_train.txt").toString(), "--valid", valid().toString(),
                "--method", method, "--pattern", "2:4", "--eval-examples", "20", "--out", out.toString(), "--json"));
        args.addAll(List.of(extra));
        CliRun run = CliRun.of(args.toArray(String[]::new)).assertExit(0);
        assertTrue(Files.isRegularFile(out) && Files.isRegularFile(org.maskpro4j.export.MaskFile.pathFor(out)), run::toString);
        return run.json();
    }
}
