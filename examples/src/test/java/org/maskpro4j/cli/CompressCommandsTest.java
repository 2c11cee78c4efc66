package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.inference.CompressedModel;
import org.maskpro4j.inference.CompressedNetwork;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmModelFile;
import org.maskpro4j.testing.RequiredData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** {@code compress}, then {@code eval} and {@code generate} on the compressed file, on the real CNN and LLaMA. */
class CompressCommandsTest {

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    @Test
    void compressedFashionCnnEvaluatesOnTheKernelToTheSameMetrics(@TempDir Path dir) throws IOException {
        Path pruned = dir.resolve("pruned.zip");
        CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data", CliTestData.FASHION.toString(),
                "--method", "magnitude", "--examples", "64", "--eval-examples", "100", "--out", pruned.toString(), "--json")
                .assertExit(0);
        byte[] input = Files.readAllBytes(pruned);
        Path out = dir.resolve("pruned.nmz");
        Map<String, Object> c = CliRun.of("compress", "--model", pruned.toString(), "--out", out.toString(), "--json")
                .assertExit(0).json();
        assertEquals(2, ((Number) c.get("nm_matrices")).intValue(), "dense and output layers");
        assertTrue(((Number) c.get("weight_bytes")).longValue() < ((Number) c.get("dense_weight_bytes")).longValue(), c::toString);
        assertEquals(Files.size(out), ((Number) c.get("file_bytes")).longValue());
        assertArrayEquals(input, Files.readAllBytes(pruned), "the input is never modified");

        Map<String, Object> dense = eval(pruned);
        Map<String, Object> compressed = eval(out);
        assertEquals(dense.get("examples"), compressed.get("examples"));
        assertEquals(((Number) dense.get("accuracy")).doubleValue(), ((Number) compressed.get("accuracy")).doubleValue(), 1e-12);
        assertEquals(((Number) dense.get("loss")).doubleValue(), ((Number) compressed.get("loss")).doubleValue(), 1e-5);

        // layer for layer: the kernel's outputs are DL4J's dense outputs on the real pruned weights
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(pruned.toFile(), false);
        CompressedNetwork kernelNet = (CompressedNetwork) CompressedModel.load(NmModelFile.read(out), NmKernel.best(2));
        assertEquals(java.util.Set.of(4, 5), kernelNet.kernelLayers());
        DataSet batch = FashionMnist.at(CliTestData.FASHION).load(FashionMnist.Split.TEST, 64);
        INDArray expected = net.output(batch.getFeatures(), false);
        INDArray actual = kernelNet.output(batch.getFeatures());
        assertTrue(expected.equalsWithEps(actual, 1e-5), "softmax outputs");
        assertEquals(net.score(batch, false), kernelNet.score(batch), 1e-5);
    }

    @Test
    void compressRefusesAModelThatIsNotStrictlyNm(@TempDir Path dir) {
        Path out = dir.resolve("dense.nmz");
        String line = CliRun.of("compress", "--model", CliTestData.fashionCnn().toString(), "--out", out.toString())
                .assertUserError();
        assertTrue(line.contains("'dense'") && line.contains("is not strictly 2:4") && line.contains("--exclude"), line);
        assertTrue(Files.notExists(out), "nothing written");
    }

    @Test
    void compressedLlamaEvaluatesAndGeneratesAsTheDenseFile(@TempDir Path dir) throws IOException {
        Path model = RequiredData.shared("llama2c/stories260K.bin");
        Path tok = RequiredData.shared("llama2c/tok512.bin");
        Path valid = RequiredData.shared("llama2c/tinystories_valid.txt");
        Path pruned = dir.resolve("pruned.bin");
        CliRun.of("prune", "--model", model.toString(), "--data", RequiredData.shared("llama2c/tinystories_train.txt").toString(),
                "--valid", valid.toString(), "--method", "magnitude", "--pattern", "2:4", "--examples", "8",
                "--eval-examples", "10", "--out", pruned.toString(), "--json").assertExit(0);
        Path out = dir.resolve("pruned.nmz");
        Map<String, Object> c = CliRun.of("compress", "--model", pruned.toString(), "--out", out.toString(), "--json")
                .assertExit(0).json();
        assertEquals(5 * 7, ((Number) c.get("nm_matrices")).intValue(), "seven matrices in each of 5 layers");

        Map<String, Object> dense = CliRun.of("eval", "--model", pruned.toString(), "--tokenizer", tok.toString(), "--data",
                valid.toString(), "--eval-examples", "20", "--json").assertExit(0).json();
        Map<String, Object> compressed = CliRun.of("eval", "--model", out.toString(), "--tokenizer", tok.toString(), "--data",
                valid.toString(), "--eval-examples", "20", "--json").assertExit(0).json();
        assertEquals(dense, compressed, "lossless: the same perplexity to the last bit");

        Map<String, Object> denseText = generate(pruned, tok, "0", "--prompt", "Once upon a time");
        Map<String, Object> nmText = generate(out, tok, "0", "--prompt", "Once upon a time");
        assertEquals(denseText.get("text"), nmText.get("text"), "greedy decoding on the kernel picks the same tokens");
        assertEquals("dense", denseText.get("weights"));
        assertEquals("nm", nmText.get("weights"));
        assertTrue(((String) nmText.get("text")).startsWith("Once upon a time"), nmText::toString);
        assertTrue(((Number) nmText.get("tokens_per_s")).doubleValue() > 0);

        Map<String, Object> sampled = generate(out, tok, "0.8", "--seed", "3");
        assertEquals(sampled.get("text"), generate(out, tok, "0.8", "--seed", "3").get("text"), "same seed, same text");
        assertNotEquals(sampled.get("text"), generate(out, tok, "0.8", "--seed", "4").get("text"));
    }

    private static Map<String, Object> eval(Path model) {
        return CliRun.of("eval", "--model", model.toString(), "--data", CliTestData.FASHION.toString(), "--eval-examples",
                "300", "--json").assertExit(0).json();
    }

    private static Map<String, Object> generate(Path model, Path tok, String temperature, String... extra) {
        String[] args = {"generate", "--model", model.toString(), "--tokenizer", tok.toString(), "--steps", "64",
            "--temperature", temperature, "--json"};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliRun.of(all).assertExit(0).json();
    }
}
