package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.examples.data.DataSetDirectory;
import org.maskpro4j.examples.models.FashionCnn;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs {@code maskpro bench} end to end on a tiny CNN (random weights and pixels: timings and memory do not depend on
 * their values) with the smallest settings, memory probes in child JVMs included, and checks the shape of what it
 * reports. No timing is asserted.
 */
@Tag("slow")
class BenchCommandTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Path data;

    @BeforeAll
    static void tinyModelAndData() throws IOException {
        MultiLayerNetwork net = FashionCnn.builder().seed(3).conv1Channels(8).conv2Channels(8).hidden(8).build().newNetwork();
        model = dir.resolve("tiny-cnn.zip");
        ModelSerializer.writeModel(net, model.toFile(), false);
        INDArray pixels;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(5)) {
            pixels = Nd4j.rand(rng, 32, 1, 28, 28);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 32, 10);
        for (int i = 0; i < 32; i++) {
            labels.putScalar(i, i % 10, 1.0);
        }
        data = Files.createDirectories(dir.resolve("data"));
        DataSetDirectory.save(new DataSet(pixels, labels), data, 32);
    }

    private static List<String> subjectArgs() {
        return List.of("--model", model.toString(), "--data", data.toString(), "--batch", "16", "--batches", "2");
    }

    @Test
    void testBench_ReportsEveryRatioAsAPositiveFiniteNumber() throws IOException {
        Path markdown = dir.resolve("bench.md");
        List<String> args = new java.util.ArrayList<>(List.of("bench"));
        args.addAll(subjectArgs());
        args.addAll(List.of("--repeats", "2", "--warmup", "1", "--sample-seconds", "0.01", "--groups", "10000",
                "--memory-runs", "1", "--memory-steps", "2", "--markdown", markdown.toString(), "--json"));
        Map<String, Object> json = runJson(args.toArray(String[]::new));
        assertEquals("tiny-cnn.zip", json.get("model"));
        assertPositive(json.get("step_over_forward"), "step_over_forward");
        assertPositive(json.get("learn_mem_over_infer"), "learn_mem_over_infer");
        // 2:4 on FLOAT weights: byte logits, three codes and the maximum's 2-bit position per group (0.8125) + the
        // prior's ranks (3 bits per group, 3/32) + the two removed values of every group (2) + the applied mask's ranks
        // (3/32): 3.0, plus the last word of each rank array on this tiny CNN (3.0018); mask bits instead of ranks would
        // add 1/16, half logits 1.1875, a dense copy or FLOAT logits 2 to 4 more
        double state = ((Number) json.get("learn_state_bytes_per_weight")).doubleValue();
        assertTrue(state >= 3.0 && state < 3.01, "learn_state_bytes_per_weight " + state);
        Map<String, Object> wrapped = object(json, "wrapped_over_original");
        assertEquals(List.of("param_weight", "wrapper_layers"), List.copyOf(wrapped.keySet()));
        wrapped.forEach((k, v) -> assertPositive(v, "wrapped_over_original." + k));
        Map<String, Object> maskLlm = object(json, "maskllm_over_maskpro_mem");
        assertEquals(List.of("2:4", "4:8"), List.copyOf(maskLlm.keySet()));
        maskLlm.forEach((k, v) -> assertPositive(v, "maskllm_over_maskpro_mem." + k));
        Map<String, Object> groups = object(json, "groups_per_s");
        assertEquals(List.of("2:4", "4:8", "8:16"), List.copyOf(groups.keySet()));
        groups.forEach((k, v) -> assertPositive(v, "groups_per_s." + k));
        Map<String, Object> overCopy = object(json, "group_math_over_copy");
        assertEquals(List.of("2:4", "4:8", "8:16"), List.copyOf(overCopy.keySet()));
        // the fused step reads, updates and writes every logit and draws noise for it: never cheaper than a copy
        overCopy.forEach((k, v) -> assertTrue(((Number) v).doubleValue() > 1, "group_math_over_copy." + k + " = " + v));
        Map<String, Object> bits = object(json, "mask_bits_per_weight");
        assertEquals(List.of("2:4", "4:8", "8:16"), List.copyOf(bits.keySet()));
        bits.forEach((k, v) -> {
            NmPattern p = NmPattern.parse(k);
            double measured = ((Number) v).doubleValue();
            // whole bytes per weight tensor: at least the code's own rate, never a full bit per weight
            assertTrue(measured >= (double) p.bitsPerGroup() / p.m() && measured < 1, k + ": " + measured);
        });
        assertTrue(object(json, "noise").containsKey("step_over_forward"));
        Map<String, Object> memory = object(object(json, "details"), "memory");
        assertTrue(memory.get("isolation").toString().startsWith("one child JVM per probe"), memory.toString());
        assertTrue(json.get("command").toString().startsWith("maskpro bench --model"));
        String table = Files.readString(markdown);
        assertTrue(table.contains("| step_over_forward |") && table.contains("| groups_per_s 8:16 |")
                && table.contains("| group_math_over_copy 2:4 |"), table);
    }

    /** The scaling mode end to end on its smallest model: one point, its figures, and the plot file. */
    @Test
    void testBenchScaling_ReportsAPointAndDrawsThePlot() throws IOException {
        Path png = dir.resolve("scaling.png");
        Map<String, Object> json = runJson("bench", "--scaling", "--scaling-models", "mlp:6M", "--batch", "8", "--batches",
                "1", "--repeats", "2", "--warmup", "1", "--sample-seconds", "0.01", "--memory-runs", "1", "--memory-steps",
                "1", "--plot", png.toString(), "--json");
        assertTrue(json.get("points") instanceof List<?> l && l.size() == 1, json.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> point = (Map<String, Object>) ((List<?>) json.get("points")).get(0);
        assertEquals("mlp:6M", point.get("model"));
        assertEquals(6_324_224L, ((Number) point.get("prunable_weights")).longValue());
        assertEquals(8L, ((Number) point.get("tokens_per_batch")).longValue());
        for (String key : List.of("own_work_cpu_s", "groups_per_s", "infer_bytes", "learn_bytes")) {
            assertPositive(point.get(key), key);
        }
        // one size per family: nothing to fit, nothing to extrapolate
        assertTrue(object(json, "log_log_fits").isEmpty() && object(json, "llama2_7b").isEmpty(), json.toString());
        assertTrue(Files.size(png) > 0);
    }

    @Test
    void testBenchScaling_RefusesSizesOutsideTheSet() {
        assertEquals(Maskpro.USER_ERROR, Maskpro.run("bench", "--scaling", "--scaling-models", "llama-random:7B"));
        assertEquals(Maskpro.USER_ERROR, Maskpro.run("bench", "--scaling", "--scaling-models", "fashion-cnn"));
        assertEquals(Maskpro.USER_ERROR, Maskpro.run("bench", "--model", "mlp:3M"));
    }

    @Test
    void testBench_RefusesFewerThanTwoRepeats() {
        assertEquals(Maskpro.USER_ERROR, Maskpro.run("bench", "--repeats", "1"));
    }

    /** Runs the command with stdout captured; it must exit 0, and its stdout is the JSON object returned. */
    private static Map<String, Object> runJson(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Json.bindStdout(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Maskpro.run(args));
        } finally {
            Json.bindStdout(System.out);
        }
        return Json.parse(out.toString(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> json, String key) {
        assertTrue(json.get(key) instanceof Map, key + " is not an object: " + json.get(key));
        return (Map<String, Object>) json.get(key);
    }

    private static void assertPositive(Object value, String key) {
        assertTrue(value instanceof Number, key + " is not a number: " + value);
        double v = ((Number) value).doubleValue();
        assertTrue(v > 0 && Double.isFinite(v), key + " = " + v);
    }
}
