package org.maskpro4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaConfig;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;

class ScalingModelTest {
    private static final NmPattern TWO_FOUR = NmPattern.parse("2:4");

    /**
     * With llama2.c's 32,000-token vocabulary the shapes hold the parameters their names say (15.2 M, 41.7 M, 109.5 M;
     * LLaMA-2-7B 6,738,415,616), so the configs are those models'; the prunable counts are worked out by hand.
     */
    @Test
    void testLlamaShapes_ParameterCountsMatchTheirNames() {
        long[] prunable = {5_971_968L, 25_296_896L, 84_934_656L};
        long[] fullVocab = {15_191_712L, 41_689_600L, 109_529_856L};
        for (int i = 0; i < 3; i++) {
            ScalingModel m = new ScalingModel(true, ScalingModel.LLAMA_SIZES.get(i));
            LlamaConfig c = m.llamaConfig(64);
            assertEquals(ScalingModel.VOCAB, c.vocabSize());
            assertEquals(prunable[i], m.prunableWeights(), m.cliName());
            LlamaConfig stories = new LlamaConfig(c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(), 32000, 256, true);
            assertEquals(fullVocab[i], ScalingModel.llamaParameters(stories), m.cliName());
        }
        assertEquals(6_476_005_376L, ScalingModel.llamaPrunableWeights(ScalingModel.LLAMA2_7B));
        assertEquals(6_738_415_616L, ScalingModel.llamaParameters(ScalingModel.LLAMA2_7B));
    }

    /** The 15M shape built with random weights: the learner sees exactly the counted weights, and a forward runs. */
    @Test
    void testRandomLlama_BuildsWithCountedWeightsAndRunsAForward() {
        ScalingModel m = ScalingModel.parse("llama-random:15M").orElseThrow();
        LlamaGraph graph = LlamaGraph.build(InferenceBenchmark.randomCheckpoint(m.llamaConfig(8), 3));
        List<MaskableWeight> weights = new LlamaMaskableModel(graph, TWO_FOUR).weights();
        assertEquals(42, weights.size());
        assertEquals(m.prunableWeights(), weights.stream().mapToLong(w -> w.live().length()).sum());
        double loss = graph.loss(LlamaBatches.batch(List.of(new int[] {1, 17, 300, 5, 511, 42, 9, 100})));
        // small random weights give nearly uniform next-token probabilities: a loss near ln(vocabulary)
        assertEquals(Math.log(ScalingModel.VOCAB), loss, 0.5);
    }

    @Test
    void testMlpSizes_WeightCountsAndTheBuiltModelAgree() {
        assertEquals(6_324_224L, new ScalingModel(false, "6M").prunableWeights());
        assertEquals(25_231_360L, new ScalingModel(false, "25M").prunableWeights());
        assertEquals(100_794_368L, new ScalingModel(false, "100M").prunableWeights());
        Dl4jSubject mlp = SyntheticMlp.subject(1, 2, 1, 0);
        assertEquals(SyntheticMlp.weights(1),
                mlp.maskable(TWO_FOUR).weights().stream().mapToLong(w -> w.live().length()).sum());
        assertTrue(Double.isFinite(mlp.forward(mlp.batches().get(0))));
    }

    @Test
    void testParse_NamesOfTheSetOnly() {
        assertEquals(Optional.of(new ScalingModel(false, "25M")), ScalingModel.parse("mlp:25M"));
        assertEquals(2, ScalingModel.parse("mlp:25M").orElseThrow().mlpWidth());
        assertEquals("llama-random:110M", ScalingModel.parse("llama-random:110M").orElseThrow().cliName());
        assertEquals(Optional.empty(), ScalingModel.parse("fashion-cnn"));
        assertThrows(IllegalArgumentException.class, () -> ScalingModel.parse("llama-random:7B"));
        assertThrows(IllegalStateException.class, () -> new ScalingModel(false, "6M").llamaConfig(8));
        assertEquals(6, ScalingModel.all().size());
    }
}
