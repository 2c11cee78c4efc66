package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.maskpro4j.examples.llama.inference.CompressedLlama;
import org.maskpro4j.examples.llama.inference.LlamaRuntime;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.sparse.NmKernel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The plain-Java token-by-token forward against the SameDiff graph, and on N:M weights against dense ones. */
class LlamaRuntimeTest extends RealLlamaTest {
    private static final NmPattern TWO_FOUR = NmPattern.of(2, 4);
    private Llama2cCheckpoint checkpoint;

    @Override
    void load(Llama2cCheckpoint stories) {
        checkpoint = stories;
    }

    @Test
    void denseRuntimeGivesTheGraphsLogitsAtEveryPosition() throws IOException {
        Llama2cTokenizer tok = Llama2cTokenizer.read(LlamaTestData.tokenizer(), checkpoint.config().vocabSize());
        int[] tokens = tok.encode("Once upon a time, there was a little girl named Lily.", true, false);
        int[] withTarget = Arrays.copyOf(tokens, tokens.length + 1);
        INDArray graphLogits = LlamaGraph.build(checkpoint).logits(LlamaBatches.batch(List.of(withTarget)));
        LlamaRuntime runtime = LlamaRuntime.dense(checkpoint);
        for (int pos = 0; pos < tokens.length; pos++) {
            float[] expected = graphLogits.get(NDArrayIndex.point(0), NDArrayIndex.point(pos), NDArrayIndex.all())
                    .dup().data().asFloat();
            assertArrayEquals(expected, runtime.forward(tokens[pos], pos), 2e-3f, "logits at position " + pos);
        }
    }

    @Test
    void kernelRuntimeOnPrunedWeightsEqualsTheDenseRuntime() {
        Llama2cCheckpoint pruned = magnitudePruned(checkpoint);
        LlamaRuntime dense = LlamaRuntime.dense(pruned);
        LlamaRuntime nm = LlamaRuntime.compressed(CompressedLlama.compress(pruned, TWO_FOUR, List.of()), NmKernel.best(2));
        // 2.125 of 4 bytes per weight, plus position bytes padded to whole bytes per row (hidden_dim 172)
        assertEquals(17 / 32.0, (double) nm.matrixBytes() / dense.matrixBytes(), 1e-3);
        int token = Llama2cTokenizer.BOS;
        for (int pos = 0; pos < 40; pos++) {
            float[] expected = dense.forward(token, pos).clone();
            float[] actual = nm.forward(token, pos);
            assertArrayEquals(expected, actual, 1e-3f, "logits at position " + pos);
            token = argMax(expected);
        }
    }

    private static Llama2cCheckpoint magnitudePruned(Llama2cCheckpoint c) {
        Map<String, INDArray> pruned = new HashMap<>();
        for (String name : c.tensorNames()) {
            if (LlamaNames.layerOf(name) >= 0 && LlamaNames.MATRICES.contains(LlamaNames.kindOf(name))) {
                INDArray w = c.tensor(name);
                GroupLayout layout = GroupLayout.of(name, GroupLayout.Kind.OUT_IN, w.shape(), TWO_FOUR);
                INDArray groups = layout.toGroups(w);
                pruned.put(name, layout.fromGroups(groups.mul(TopN.mask(Transforms.abs(groups), TWO_FOUR))));
            }
        }
        return c.withTensors(pruned);
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
