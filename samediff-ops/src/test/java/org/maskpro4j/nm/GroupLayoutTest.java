package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GroupLayoutTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    @Test
    void inOutGroupsRunAlongInputRows() {
        // W[in=8, out=3]; group g of output column o holds W[4g..4g+3, o]
        INDArray w = Nd4j.arange(24).castTo(DataType.DOUBLE).reshape(8, 3);
        GroupLayout layout = GroupLayout.of("dense", GroupLayout.Kind.IN_OUT, w.shape(), P24);
        INDArray g = layout.toGroups(w);
        assertEquals(6, g.size(0));
        for (int j = 0; j < 4; j++) {
            assertEquals(w.getDouble(j, 0), g.getDouble(0, j));
            assertEquals(w.getDouble(4 + j, 0), g.getDouble(1, j));
            assertEquals(w.getDouble(j, 1), g.getDouble(2, j));
        }
        assertEquals(w, layout.fromGroups(g));
    }

    @Test
    void outInGroupsAreConsecutiveColumns() {
        INDArray w = Nd4j.arange(24).castTo(DataType.DOUBLE).reshape(3, 8);
        GroupLayout layout = GroupLayout.of("wq", GroupLayout.Kind.OUT_IN, w.shape(), P24);
        INDArray g = layout.toGroups(w);
        assertEquals(w.reshape(6, 4), g);
        assertEquals(w, layout.fromGroups(g));
    }

    @Test
    void convGroupsRunAlongInputChannelsPerTap() {
        INDArray w = Nd4j.rand(DataType.DOUBLE, 5, 8, 3, 2);
        GroupLayout layout = GroupLayout.of("conv", GroupLayout.Kind.CONV2D_OIHW, w.shape(), P24);
        INDArray g = layout.toGroups(w);
        assertEquals(5 * 3 * 2 * 2, g.size(0));
        // first group: out 0, tap (0,0), channels 0..3
        for (int c = 0; c < 4; c++) {
            assertEquals(w.getDouble(0, c, 0, 0), g.getDouble(0, c));
        }
        assertEquals(w, layout.fromGroups(g));
    }

    /** One array can be both: writes through the group matrix show in its weight-shaped view. */
    @Test
    void asWeightIsAViewOfContiguousGroupsAndACorrectCopyOtherwise() {
        for (GroupLayout.Kind kind : GroupLayout.Kind.values()) {
            long[] shape = smallShape(kind);
            INDArray w = Nd4j.rand(DataType.DOUBLE, shape);
            GroupLayout layout = GroupLayout.of("w", kind, shape, P24);
            INDArray groups = layout.toGroups(w);
            INDArray view = layout.asWeight(groups);
            assertEquals(w, view, kind.toString());
            groups.muli(2);
            assertEquals(w.mul(2), view, kind + ": the view follows its group matrix");
            assertEquals(w.mul(2), layout.asWeight(groups.dup('f')), kind + ": from column-major groups");
        }
    }

    /** groupsOf reads a weight as its groups without a copy where its memory runs in group order, else copies. */
    @Test
    void groupsOfIsAViewOfAGroupOrderedWeightAndTheGroupsOtherwise() {
        for (GroupLayout.Kind kind : GroupLayout.Kind.values()) {
            long[] shape = smallShape(kind);
            INDArray w = Nd4j.rand(DataType.DOUBLE, shape);
            GroupLayout layout = GroupLayout.of("w", kind, shape, P24);
            assertEquals(layout.toGroups(w), layout.groupsOf(w), kind + ": any weight");
            INDArray groups = layout.toGroups(w);
            INDArray read = layout.groupsOf(layout.asWeight(groups));
            assertEquals(groups, read, kind + ": a group-ordered weight");
            groups.muli(2);
            assertEquals(groups, read, kind + ": read without a copy");
        }
    }

    /** A small weight shape of each kind, 8 inputs (two groups of 4 per row). */
    private static long[] smallShape(GroupLayout.Kind kind) {
        return switch (kind) {
            case IN_OUT -> new long[] {8, 3};
            case OUT_IN -> new long[] {3, 8};
            case CONV2D_OIHW -> new long[] {5, 8, 3, 2};
        };
    }

    @Test
    void fanInNotMultipleOfMNamesLayerShapeAndFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupLayout.of("w2", GroupLayout.Kind.OUT_IN, new long[] {64, 172}, NmPattern.of(4, 8)));
        assertTrue(e.getMessage().contains("w2"), e.getMessage());
        assertTrue(e.getMessage().contains("[64, 172]"), e.getMessage());
        assertTrue(e.getMessage().contains("M=8"), e.getMessage());
        assertTrue(e.getMessage().contains("exclude this layer"), e.getMessage());
    }

    @Test
    void topNKeepsLargestAndBreaksTiesTowardsLowerIndex() {
        INDArray s = Nd4j.createFromArray(new double[][] {{0.1, 3, 2, -1}, {1, 1, 1, 1}, {5, 5, 0, 5}});
        INDArray mask = TopN.mask(s, P24);
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 1, 1, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}}), mask);
        assertTrue(Strictness.check(mask, P24).strict());
    }

    @Test
    void strictnessReportsFirstViolatingGroup() {
        INDArray mask = Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}, {1, 1, 1, 0}, {1, 0, 0, 0}});
        Strictness.Report r = Strictness.check(mask, P24);
        assertEquals(2, r.violations());
        assertEquals(1, r.firstViolation());
        assertEquals(3.0, r.keptInFirstViolation());
    }
}
