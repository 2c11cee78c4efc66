package org.maskpro4j.nm;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * How one weight tensor is cut into groups of M consecutive weights along its reduction (input) axis, and
 * back. Groups are rows of a {@code [groups, M]} matrix: that matrix is the only shape the N:M math sees, so a
 * new layer kind is one new layout, not a new code path.
 *
 * <p>Internally a layout is a permutation that moves the input axis last, followed by a reshape to
 * {@code [-1, M]}; the inverse reshapes and permutes back.
 */
public final class GroupLayout {

    /** The weight shapes DL4J and SameDiff models use. */
    public enum Kind {
        /** {@code [in, out]}: DL4J Dense/Output/LSTM input and recurrent weights, SameDiff {@code x.mmul(W)}. */
        IN_OUT(new int[] {1, 0}, 0),
        /** {@code [out, in]}: llama2.c and PyTorch-style linear weights. */
        OUT_IN(new int[] {0, 1}, 1),
        /** {@code [out, in, kH, kW]}: DL4J Convolution2D; groups run along input channels at each kernel tap. */
        CONV2D_OIHW(new int[] {0, 2, 3, 1}, 1);

        private final int[] toGroupOrder;
        private final int inputAxis;

        Kind(int[] toGroupOrder, int inputAxis) {
            this.toGroupOrder = toGroupOrder;
            this.inputAxis = inputAxis;
        }

        public int rank() {
            return toGroupOrder.length;
        }

        public int inputAxis() {
            return inputAxis;
        }

        /** The permutation that moves the input axis last (then a row-major reshape to {@code [-1, M]} gives the groups). */
        public int[] toGroupOrder() {
            return toGroupOrder.clone();
        }
    }

    private final String owner;
    private final Kind kind;
    private final long[] shape;
    private final NmPattern pattern;
    private final long[] permutedShape;
    private final int[] inverseOrder;

    private GroupLayout(String owner, Kind kind, long[] shape, NmPattern pattern) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.shape = shape.clone();
        if (shape.length != kind.rank()) {
            throw new IllegalArgumentException("Weight '" + owner + "' has shape " + Arrays.toString(shape)
                    + " but layout " + kind + " needs rank " + kind.rank());
        }
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("Weight '" + owner + "' has an empty shape " + Arrays.toString(shape));
            }
        }
        long fanIn = shape[kind.inputAxis];
        if (fanIn % pattern.m() != 0) {
            throw new IllegalArgumentException("Weight '" + owner + "' with shape " + Arrays.toString(shape)
                    + " (" + kind + ") has input dimension " + fanIn + ", which is not a multiple of M=" + pattern.m()
                    + " for pattern " + pattern + ": exclude this layer or choose a pattern whose M divides " + fanIn);
        }
        this.permutedShape = new long[shape.length];
        this.inverseOrder = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            permutedShape[i] = shape[kind.toGroupOrder[i]];
            inverseOrder[kind.toGroupOrder[i]] = i;
        }
    }

    /**
     * @param owner the layer or variable name, used in every error message about this weight
     * @throws IllegalArgumentException naming the owner, shape and M when the input axis is not a multiple of M
     */
    public static GroupLayout of(String owner, Kind kind, long[] shape, NmPattern pattern) {
        return new GroupLayout(owner, kind, shape, pattern);
    }

    public String owner() {
        return owner;
    }

    public Kind kind() {
        return kind;
    }

    public NmPattern pattern() {
        return pattern;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long weightCount() {
        long c = 1;
        for (long d : shape) {
            c *= d;
        }
        return c;
    }

    public long groupCount() {
        return weightCount() / pattern.m();
    }

    /** A fresh {@code [groups, M]} copy of {@code weight} (which must have this layout's shape). */
    public INDArray toGroups(INDArray weight) {
        requireShape(weight, shape, "weight");
        return weight.permute(kind.toGroupOrder).dup('c').reshape('c', groupCount(), pattern.m());
    }

    /**
     * {@code weight}'s {@code [groups, M]} matrix for reading: a view where its memory already runs in group order (as
     * {@link #asWeight} leaves it), else a fresh copy as {@link #toGroups}. Writing to it may write to the weight.
     */
    public INDArray groupsOf(INDArray weight) {
        requireShape(weight, shape, "weight");
        return weight.permute(kind.toGroupOrder).reshape('c', groupCount(), pattern.m());
    }

    /** A fresh weight-shaped copy of {@code groups}, which must be {@code [groups, M]}. */
    public INDArray fromGroups(INDArray groups) {
        return asWeight(groups).dup('c');
    }

    /**
     * {@code groups} seen in the weight's shape: a view sharing its data when {@code groups} is c-contiguous (as
     * {@link #toGroups} returns it), a copy otherwise. Lets one array serve as both the group matrix and the weight.
     */
    public INDArray asWeight(INDArray groups) {
        requireShape(groups, new long[] {groupCount(), pattern.m()}, "group matrix");
        boolean contiguous = groups.ordering() == 'c' && Shape.hasDefaultStridesForShape(groups);
        INDArray rowMajor = contiguous ? groups : groups.dup('c');
        return rowMajor.reshape('c', true, permutedShape).permute(inverseOrder);
    }

    /** Rows of the layout: one per output unit (per output channel for conv). */
    public long rowCount() {
        return permutedShape[0];
    }

    /** Length of one row, i.e. the reduction length K; its M-blocks are the groups. */
    public long rowLength() {
        return weightCount() / rowCount();
    }

    /**
     * A fresh {@code [rows, K]} copy: each row is one output unit's weights over the reduction axis, in the column
     * order the groups use (M consecutive columns form a group). One-shot pruners (Wanda, SparseGPT) work here;
     * calibration inputs must use the same column order.
     */
    public INDArray toRows(INDArray weight) {
        return toGroups(weight).reshape('c', rowCount(), rowLength());
    }

    /** Inverse of {@link #toRows}. */
    public INDArray fromRows(INDArray rows) {
        requireShape(rows, new long[] {rowCount(), rowLength()}, "row matrix");
        return fromGroups(rows.dup('c').reshape('c', groupCount(), pattern.m()));
    }

    private void requireShape(INDArray array, long[] expected, String what) {
        if (!Arrays.equals(array.shape(), expected)) {
            throw new IllegalArgumentException("Weight '" + owner + "': " + what + " has shape "
                    + Arrays.toString(array.shape()) + ", expected " + Arrays.toString(expected));
        }
    }

    @Override
    public String toString() {
        return owner + " " + kind + " " + Arrays.toString(shape) + " @" + pattern + " (" + groupCount() + " groups)";
    }
}
