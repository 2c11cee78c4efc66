package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
 * ended it (with the collections switched off, the lowest RSS of the last third of 40 steps was 1,231 MiB above
 * the first third's; with them, within ±70 MiB). 40 steps of 2 paragraphs, ~15 s. With
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
        List<Long> rss = new ArrayList<>();
        DoubleSupplier probe = () -> {
            long now = rssMiB();
            rss.add(now);
            System.out.printf("step %d: RSS %d MiB%n", 5 * rss.size(), now);
            return 0;
        };
        new MaskedFineTuner(FineTuneConfig.builder().steps(steps).logEvery(10).build(), null).tune(model, train, masks,
                probe, 5, null);
        assertFlat(rss, 5, "fine-tuning steps");
    }

    /**
     * MaskLLM backpropagates every step too: before {@code NativeGarbage} ran in its loop, a CLI run on batches of 8
     * paragraphs reached 11.6 GiB of resident memory under -Xmx3g and was killed by the OOM killer. 20 steps to settle,
     * then 40 more on batches of 2 paragraphs, sampled every 8: without the collection RSS grew 249–431 MiB over
     * those, with it about −15 MiB.
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
        List<Long> rss = new ArrayList<>();
        for (int done = 0; done < steps; done += 8) {
            new MaskLlmLearner(MaskLlmConfig.builder().pattern(pattern).steps(8).logEvery(10).build()).learn(model, train,
                    null);
            rss.add(rssMiB());
            System.out.printf("MaskLLM, %d steps after the first 20: RSS %d MiB%n", done + 8, rss.get(rss.size() - 1));
        }
        assertFlat(rss, 8, "MaskLLM steps");
    }

    /**
     * Resident memory sampled at even intervals must not rise from the first third of the samples to the last: the
     * lowest sample of each third, because between collections (every 4 steps) and C-heap trims a single sample swings
     * by ±100 MiB, while the bug this guards against raised every sample, by 13–75 MiB a step.
     */
    private static void assertFlat(List<Long> rss, int stepsPerSample, String what) {
        int third = Math.max(1, rss.size() / 3);
        long early = rss.subList(0, third).stream().mapToLong(Long::longValue).min().orElseThrow();
        long late = rss.subList(rss.size() - third, rss.size()).stream().mapToLong(Long::longValue).min().orElseThrow();
        int stepsBetween = (rss.size() - third) * stepsPerSample;
        System.out.printf("lowest RSS, first third %d MiB, last third %d MiB%n", early, late);
        assertTrue(late - early < 6L * stepsBetween, "RSS grew " + (late - early) + " MiB over ~" + stepsBetween + " " + what);
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
