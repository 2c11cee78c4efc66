package org.maskpro4j.weights;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight's {@code [groups, M]} matrix read a chunk of groups at a time, as exact doubles, from its buffer: in place
 * where its memory runs in group order (as DL4J holds a dense layer's W), else from one row-major copy in its own type.
 * DOUBLE stays DOUBLE, so nothing below FLOAT's range becomes 0 and no two values become equal; the other types widen
 * exactly. Lets a whole-weight pass (a ranking, a check) hold one chunk instead of copies of the weight.
 */
public final class GroupChunks {
    /** Groups per chunk: 64 K groups of M values, 2 MB of doubles at M = 4. */
    public static final int CHUNK_GROUPS = 1 << 16;

    private final INDArray groups;
    private final int m;
    private final double[] values;
    private final float[] floats;

    /** @param groupMatrix a {@code [groups, M]} matrix, as {@link org.maskpro4j.nm.GroupLayout#groupsOf} gives it */
    public GroupChunks(INDArray groupMatrix) {
        boolean rowMajor = groupMatrix.rank() == 2 && (groupMatrix.size(0) == 1 || groupMatrix.stride(0) == groupMatrix.size(1))
                && (groupMatrix.size(1) == 1 || groupMatrix.stride(1) == 1);
        DataType type = groupMatrix.dataType();
        boolean direct = type == DataType.DOUBLE || type == DataType.FLOAT;
        // views of a weight that is itself a view of the parameters have no data in M2.1: read the buffer
        this.groups = rowMajor && direct ? groupMatrix
                : groupMatrix.castTo(type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT).dup('c');
        this.m = (int) groupMatrix.size(1);
        int chunk = (int) Math.min(CHUNK_GROUPS, groups());
        this.values = new double[chunk * m];
        this.floats = groups.dataType() == DataType.FLOAT ? new float[chunk * m] : null;
    }

    public long groups() {
        return groups.size(0);
    }

    public int m() {
        return m;
    }

    /**
     * Groups {@code start …} (at most {@link #CHUNK_GROUPS}), row-major in the returned array, which is reused by the
     * next read.
     *
     * @return the values; the chunk holds {@code min(CHUNK_GROUPS, groups − start)} groups
     */
    public double[] read(long start) {
        int n = (int) Math.min(CHUNK_GROUPS, groups() - start) * m;
        int at = (int) (groups.offset() + start * m);
        if (floats == null) {
            groups.data().asNioDouble().get(at, values, 0, n);
        } else {
            groups.data().asNioFloat().get(at, floats, 0, n);
            for (int i = 0; i < n; i++) {
                values[i] = floats[i];
            }
        }
        return values;
    }
}
