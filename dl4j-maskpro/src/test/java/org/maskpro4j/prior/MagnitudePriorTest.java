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
}
