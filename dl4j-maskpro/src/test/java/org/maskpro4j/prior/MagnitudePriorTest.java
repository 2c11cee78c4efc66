package org.maskpro4j.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The magnitude prior ranks a chunk of groups at a time: the chunks together give the whole weight's top-N. */
class MagnitudePriorTest {

    /** 76,800 groups of 4 and 38,400 of 8 cross the 65,536-group chunk; f order is how DL4J holds dense weights. */
    @ParameterizedTest
    @CsvSource({"2:4, OUT_IN, c, false", "2:4, IN_OUT, f, false", "4:8, IN_OUT, c, false", "2:4, IN_OUT, f, true"})
    void chunkedRankingEqualsRankingTheWholeWeight(String text, GroupLayout.Kind kind, char order, boolean paramView) {
        NmPattern pattern = NmPattern.parse(text);
        Nd4j.getRandom().setSeed(9);
        long[] shape = kind == GroupLayout.Kind.OUT_IN ? new long[] {300, 1024} : new long[] {1024, 300};
        INDArray values = Nd4j.randn(DataType.FLOAT, shape).dup(order);
        // as DL4J holds a layer's W: an f-ordered view at an offset into the flat parameters, read in place
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, values.length() + 11);
        INDArray live = paramView ? flat.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(5, 5 + values.length()))
                .reshape('f', shape).assign(values) : values;
        INDArray original = live.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", kind, shape, pattern), live);

        INDArray expected = TopN.mask(Transforms.abs(w.layout().toGroups(original)), pattern);
        INDArray mask = MagnitudePrior.of(w);

        assertEquals(ByteMasks.TYPE, mask.dataType());
        assertEquals(expected.castTo(ByteMasks.TYPE), mask);
        assertEquals(original, live, "ranking reads the weight, never writes it");
    }

    /**
     * Weights of a few magnitudes of either sign tie in most groups; in DOUBLE, half of them also differ by 1e-12, which
     * FLOAT would round away. The pipeline's magnitude prior (what {@code --prior magnitude} runs) and the one-shot
     * magnitude pruner both give TopN's mask of the DOUBLE |w|, ties to the lower index, as before they shared
     * {@link MagnitudePrior#bits}; the pruner leaves the model pruned by it.
     */
    @ParameterizedTest
    @CsvSource({"FLOAT, 2:4", "DOUBLE, 2:4", "DOUBLE, 4:8"})
    void pipelinePriorAndOneShotPrunerRankTiesAsTopN(DataType type, String text) {
        NmPattern pattern = NmPattern.parse(text);
        java.util.Random random = new java.util.Random(3);
        INDArray[] w = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            double[] values = new double[24 * 32];
            for (int k = 0; k < values.length; k++) {
                double tiny = type == DataType.DOUBLE && random.nextBoolean() ? 1e-12 : 0;
                values[k] = (random.nextInt(3) + tiny) * (random.nextBoolean() ? 1 : -1);
            }
            w[i] = Nd4j.createFromArray(values).reshape(24, 32).castTo(type);
        }
        MaskPrior prior = org.maskpro4j.method.MaskMethods.prior("magnitude",
                org.maskpro4j.method.OneShotOptions.DEFAULTS);
        TwoLayerMlp model = new TwoLayerMlp(w[0], w[1], pattern);
        java.util.Map<String, INDArray> priorMasks = prior.masks(model, java.util.List.of());
        OneShotResult pruned = OneShotPruner.builder(PruneMethod.MAGNITUDE).build().prune(model, java.util.List.of());

        assertEquals("magnitude", prior.name());
        for (org.maskpro4j.weights.MaskableWeight weight : model.weights()) {
            INDArray groups = weight.layout().toGroups(weight.dense()).castTo(DataType.DOUBLE);
            INDArray expected = TopN.mask(Transforms.abs(groups), pattern).castTo(ByteMasks.TYPE);
            assertEquals(expected, priorMasks.get(weight.name()), weight.name() + " prior");
            assertEquals(expected, pruned.masks().get(weight.name()), weight.name() + " one-shot");
            assertEquals(weight.layout().fromGroups(groups.mul(expected.castTo(DataType.DOUBLE))).castTo(type),
                    weight.live(), weight.name() + " pruned in the model");
        }
    }
}
