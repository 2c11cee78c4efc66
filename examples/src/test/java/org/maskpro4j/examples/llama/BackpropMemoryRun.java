package org.maskpro4j.examples.llama;

import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.MaskedFineTuner;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.testing.ProcStatus;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The child process of {@link LlamaBackpropMemoryTest}: backpropagates on the LLaMA for a number of steps and prints the
 * resident set size read as each step fetched its batch, on one line starting {@value #PREFIX}. A process of its own,
 * because in the test JVM the heap that earlier tests grew and shrank moves the resident set by more than the bug does.
 *
 * <p>Arguments: {@code finetune|maskllm} model tokenizer train-text steps batch.
 */
final class BackpropMemoryRun {
    static final String PREFIX = "rss-samples-mib:";

    private BackpropMemoryRun() {
    }

    public static void main(String[] args) throws IOException {
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(Path.of(args[1]));
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(Path.of(args[2]), checkpoint.config().vocabSize());
        int steps = Integer.parseInt(args[4]);
        int batch = Integer.parseInt(args[5]);
        List<LlamaBatch> train = LlamaBatches.fromText(Path.of(args[3]), tokenizer, checkpoint.config().seqLen(), batch,
                batch * 20);
        LlamaGraph graph = LlamaGraph.build(checkpoint);
        NmPattern pattern = NmPattern.of(2, 4);
        LlamaDifferentiableModel model = new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, pattern));
        SampledBatches<LlamaBatch> sampled = new SampledBatches<>(train);
        switch (args[0]) {
            case "finetune" -> {
                Map<String, INDArray> masks = new HashMap<>();
                for (MaskableWeight w : model.weights()) {
                    masks.put(w.name(), Nd4j.create(new float[] {1, 1, 0, 0}).reshape(1, 4).repeat(0, w.layout().groupCount()));
                }
                new MaskedFineTuner(FineTuneConfig.builder().steps(steps).logEvery(20).build(), null).tune(model, sampled,
                        masks);
            }
            case "maskllm" -> new MaskLlmLearner(MaskLlmConfig.builder().pattern(pattern).steps(steps).logEvery(20).build())
                    .learn(model, sampled, null);
            default -> throw new IllegalArgumentException("finetune or maskllm, got " + args[0]);
        }
        System.out.println(PREFIX + " " + sampled.rss.stream().map(String::valueOf).collect(Collectors.joining(" ")));
    }

    /** The batches, reading the resident set each time one is fetched: once a step, by index or by iterator. */
    private static final class SampledBatches<B> extends AbstractList<B> {
        private final List<B> batches;
        private final List<Long> rss = new ArrayList<>();

        SampledBatches(List<B> batches) {
            this.batches = batches;
        }

        @Override
        public B get(int index) {
            rss.add(ProcStatus.residentMiB());
            return batches.get(index);
        }

        @Override
        public int size() {
            return batches.size();
        }
    }
}
