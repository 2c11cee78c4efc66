package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import org.junit.jupiter.api.Test;
import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.MaskedFineTuner;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Masked fine-tuning and MaskLLM on the LLaMA must not grow with the steps: backprop leaves native buffers that only a Java GC
 * frees, and before {@code MaskedFineTuner} collected them the process grew by 13–75 MiB a step until the OOM killer
 * ended it (RSS from step 20 to 40 grew ~400 MiB then, ~0 now). 40 steps of 2 paragraphs, ~15 s. With
 * {@code -DllamaMemoryBatch=8 -DllamaMemorySteps=60} it measures the batch-8 case of docs/llama-results.md (too slow
 * for every build: 70–150 s on the shared machine).
 */
class LlamaBackpropMemoryTest {

    @Test
    void residentMemoryStaysFlatWhileFineTuning() throws IOException {
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(LlamaTestData.model());
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(LlamaTestData.tokenizer(), checkpoint.config().vocabSize());
        int steps = Integer.getInteger("llamaMemorySteps", 40);
        int batch = Integer.getInteger("llamaMemoryBatch", 2);
        List<LlamaBatch> train = LlamaBatches.fromText(LlamaTestData.train(), tokenizer, checkpoint.config().seqLen(), batch,
                batch * steps);
        LlamaGraph graph = LlamaGraph.build(checkpoint);
        LlamaDifferentiableModel model = new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, NmPattern.of(2, 4)));
        Map<String, INDArray> masks = new HashMap<>();
        for (MaskableWeight w : model.weights()) {
            masks.put(w.name(), Nd4j.create(new float[] {1, 1, 0, 0}).reshape(1, 4).repeat(0, w.layout().groupCount()));
        }
        long[] rss = new long[2];
        int[] evals = {0};
        DoubleSupplier probe = () -> {
            evals[0]++;
            long now = rssMiB();
            if (evals[0] == 2) {
                rss[0] = now;
            }
            rss[1] = now;
            System.out.printf("eval %d: RSS %d MiB%n", evals[0], now);
            return 0;
        };
        new MaskedFineTuner(FineTuneConfig.builder().steps(steps).logEvery(10).build(), null).tune(model, train, masks,
                probe, 10, null);
        System.out.printf("RSS after %d steps: %d MiB (after 20: %d MiB)%n", steps, rss[1], rss[0]);
        assertTrue(rss[1] - rss[0] < 2L * steps, "RSS grew " + (rss[1] - rss[0]) + " MiB from step 20 to " + steps);
    }

    /**
     * MaskLLM backpropagates every step too: before {@code NativeGarbage} ran in its loop, a CLI run on batches of 8
     * paragraphs reached 11.6 GiB of resident memory under -Xmx3g and was killed by the OOM killer. 20 steps to settle,
     * then 40 more on batches of 2 paragraphs: without the collection RSS grew 431 MiB over those 40, with it -25 MiB.
     */
    @Test
    void residentMemoryStaysFlatWhileMaskLlmLearns() throws IOException {
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(LlamaTestData.model());
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(LlamaTestData.tokenizer(), checkpoint.config().vocabSize());
        int steps = Integer.getInteger("llamaMemorySteps", 40);
        List<LlamaBatch> train = LlamaBatches.fromText(LlamaTestData.train(), tokenizer, checkpoint.config().seqLen(), 2,
                2 * steps);
        LlamaGraph graph = LlamaGraph.build(checkpoint);
        NmPattern pattern = NmPattern.of(2, 4);
        LlamaDifferentiableModel model = new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, pattern));
        new MaskLlmLearner(MaskLlmConfig.builder().pattern(pattern).steps(20).logEvery(10).build()).learn(model, train, null);
        long settled = rssMiB();
        new MaskLlmLearner(MaskLlmConfig.builder().pattern(pattern).steps(steps).logEvery(10).build()).learn(model, train,
                null);
        long after = rssMiB();
        System.out.printf("MaskLLM RSS after 20 steps: %d MiB, after %d more: %d MiB%n", settled, steps, after);
        assertTrue(after - settled < 2L * steps, "RSS grew " + (after - settled) + " MiB over " + steps + " MaskLLM steps");
    }

    private static long rssMiB() {
        List<String> status;
        try {
            status = Files.readAllLines(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : status) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
