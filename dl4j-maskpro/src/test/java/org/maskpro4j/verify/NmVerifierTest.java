package org.maskpro4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The verifier counts a chunk of groups at a time from the weight's buffer: its reports are the whole-weight count's. */
class NmVerifierTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    /** The whole-weight count through ND4J arrays, as the verifier computed it before it read chunks. */
    private static NmVerifier.LayerReport reference(MaskableWeight w, NmPattern pattern) {
        INDArray groups = w.layout().toGroups(w.live());
        INDArray bad = groups.neq(0).castTo(DataType.FLOAT).sum(1).gt(pattern.n()).castTo(DataType.FLOAT);
        long violations = (long) bad.sumNumber().doubleValue();
        return new NmVerifier.LayerReport(w.name(), groups.size(0), violations,
                violations == 0 ? -1 : Nd4j.argMax(bad).getLong(0));
    }

    /**
     * 76,800 groups cross the 65,536-group chunk. A strict weight, one whose only violations lie past the first chunk,
     * one with a violation in group 0 and many more, each as a c-ordered array and as DL4J holds W (an f-ordered view
     * at an offset into the flat parameters).
     */
    @ParameterizedTest
    @CsvSource({"strict, false", "strict, true", "lateOnly, false", "lateOnly, true", "many, false", "many, true"})
    void chunkedCountEqualsTheWholeWeightCount(String kind, boolean paramView) {
        long[] shape = {1024, 300};
        GroupLayout layout = GroupLayout.of("w", GroupLayout.Kind.IN_OUT, shape, P24);
        Nd4j.getRandom().setSeed(5);
        INDArray groups = Nd4j.randn(DataType.FLOAT, layout.groupCount(), 4);
        groups.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 4)).assign(0); // strict 2:4
        switch (kind) {
            case "lateOnly" -> {
                groups.putScalar(70_000, 3, 0.5);
                groups.putScalar(layout.groupCount() - 1, 2, -1.0);
            }
            case "many" -> {
                for (long g = 0; g < layout.groupCount(); g += 7) {
                    groups.putScalar(g, 2 + (int) (g % 2), 1e-30);
                }
            }
            default -> {
            }
        }
        INDArray values = layout.fromGroups(groups).dup('f');
        INDArray live = values;
        if (paramView) {
            INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, values.length() + 11);
            live = flat.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(5, 5 + values.length()))
                    .reshape('f', shape).assign(values);
        }
        ParamWeight w = new ParamWeight("w", layout, live);

        NmVerifier.Report report = NmVerifier.verify(List.of(w), List.of("skipped"), P24);

        assertEquals(List.of(reference(w, P24)), report.layers());
        assertEquals(kind.equals("strict"), report.strict());
        assertEquals(switch (kind) {
            case "strict" -> -1L;
            case "lateOnly" -> 70_000L;
            default -> 0L;
        }, report.layers().get(0).firstViolation());
        assertEquals(values, live, "verifying reads the weight, never writes it");
    }

    /** A DOUBLE value below FLOAT's range is a value (hardware stores it), and so is NaN: both break a full group. */
    @Test
    void doubleValuesBelowFloatRangeAndNanCount() {
        GroupLayout layout = GroupLayout.of("w", GroupLayout.Kind.OUT_IN, new long[] {2, 8}, P24);
        INDArray w = Nd4j.createFromArray(new double[][] {
                {1, 2, 0, 0, 3, 5, 0, 1e-300},
                {7, Double.NaN, 4, 0, 0, 0, 0, 0}});
        ParamWeight weight = new ParamWeight("w", layout, w);

        NmVerifier.LayerReport report = NmVerifier.verify(List.of(weight), List.of(), P24).layers().get(0);

        assertEquals(new NmVerifier.LayerReport("w", 4, 2, 1), report);
        assertEquals(reference(weight, P24), report);
        assertEquals(new NmVerifier.LayerReport("w", 4, 0, -1),
                NmVerifier.verify(List.of(new ParamWeight("w", layout, w.mul(0))), List.of(), P24).layers().get(0));
    }
}
