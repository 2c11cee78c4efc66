package org.maskpro4j.sparse;

import java.util.Arrays;
import java.util.Objects;

import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@code [rows, cols]} weight matrix (one row per output unit, groups of M consecutive columns along the input)
 * stored as N:M: per group only its N kept values (fp32) and their positions inside the group, packed in
 * {@link #bitsPerIndex} bits each (2 bits at M = 4). At 2:4 that is 2.125 bytes per weight instead of 4.
 *
 * <p>Values are row-major, group after group, ascending position inside a group. The positions of one row are a
 * little-endian bit stream of {@code groupsPerRow · N} indices, padded to whole bytes so that rows decode
 * independently (threads split the work by rows). Validated at construction: a matrix read from an untrusted
 * file cannot index outside its groups.
 */
public final class NmMatrix {
    private final NmPattern pattern;
    private final int rows;
    private final int cols;
    private final int bitsPerIndex;
    private final int rowPositionBytes;
    private final float[] values;
    private final byte[] positions;

    /**
     * @param values    {@code rows · cols / M · N} kept values
     * @param positions {@code rows · rowPositionBytes(...)} packed positions, strictly ascending in every group
     * @throws IllegalArgumentException when the sizes do not fit the shape or a group's positions are not ascending
     */
    public NmMatrix(NmPattern pattern, int rows, int cols, float[] values, byte[] positions) {
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        if (rows <= 0 || cols <= 0 || cols % pattern.m() != 0) {
            throw new IllegalArgumentException("N:M matrix [" + rows + ", " + cols + "] at " + pattern
                    + ": rows and columns must be positive and the columns a multiple of M=" + pattern.m());
        }
        long kept = (long) rows * (cols / pattern.m()) * pattern.n();
        if (kept > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("N:M matrix [" + rows + ", " + cols + "] keeps " + kept
                    + " values, more than one Java array holds");
        }
        this.rows = rows;
        this.cols = cols;
        this.bitsPerIndex = bitsPerIndex(pattern);
        this.rowPositionBytes = rowPositionBytes(pattern, cols);
        if (values.length != kept) {
            throw new IllegalArgumentException("N:M matrix [" + rows + ", " + cols + "] at " + pattern + " needs "
                    + kept + " values, got " + values.length);
        }
        if (positions.length != (long) rows * rowPositionBytes) {
            throw new IllegalArgumentException("N:M matrix [" + rows + ", " + cols + "] at " + pattern + " needs "
                    + (long) rows * rowPositionBytes + " position bytes, got " + positions.length);
        }
        this.values = values;
        this.positions = positions;
        checkPositions();
    }

    /** Bits of one position inside a group: ceil(log2 M). */
    public static int bitsPerIndex(NmPattern pattern) {
        return 32 - Integer.numberOfLeadingZeros(pattern.m() - 1);
    }

    /** Bytes of one row's packed positions. */
    public static int rowPositionBytes(NmPattern pattern, int cols) {
        long bits = (long) (cols / pattern.m()) * pattern.n() * bitsPerIndex(pattern);
        return (int) ((bits + 7) / 8);
    }

    /**
     * Compresses a row-major {@code [rows, cols]} matrix in which every group holds at most N non-zeros. A group
     * with fewer keeps zeros at its lowest free positions, so {@link #toDense} gives back exactly {@code dense}.
     *
     * @param owner the layer or tensor name, used in the error message
     * @throws IllegalArgumentException naming the owner, row and group of the first group with more than N non-zeros
     */
    public static NmMatrix compress(String owner, float[] dense, int rows, int cols, NmPattern pattern) {
        if (dense.length != (long) rows * cols) {
            throw new IllegalArgumentException("'" + owner + "': " + dense.length + " values do not fill [" + rows
                    + ", " + cols + "]");
        }
        if (cols % pattern.m() != 0) {
            throw new IllegalArgumentException("'" + owner + "' has " + cols + " input columns, not a multiple of M="
                    + pattern.m() + " for pattern " + pattern + ": keep this layer dense");
        }
        int n = pattern.n();
        int m = pattern.m();
        int groupsPerRow = cols / m;
        int bits = bitsPerIndex(pattern);
        int rowBytes = rowPositionBytes(pattern, cols);
        float[] values = new float[Math.toIntExact((long) rows * groupsPerRow * n)];
        byte[] positions = new byte[Math.toIntExact((long) rows * rowBytes)];
        int[] chosen = new int[n];
        for (int r = 0; r < rows; r++) {
            BitWriter writer = new BitWriter(positions, r * rowBytes);
            for (int g = 0; g < groupsPerRow; g++) {
                int base = r * cols + g * m;
                int count = 0;
                for (int j = 0; j < m; j++) {
                    if (dense[base + j] != 0f || Float.isNaN(dense[base + j])) {
                        if (count == n) {
                            throw new IllegalArgumentException("'" + owner + "' is not strictly " + pattern + ": row "
                                    + r + ", group " + g + " (columns " + g * m + ".." + (g * m + m - 1)
                                    + ") has more than " + n + " non-zeros; prune it to " + pattern + " first or keep it dense");
                        }
                        chosen[count++] = j;
                    }
                }
                fillWithZeros(chosen, count, n);
                int out = (r * groupsPerRow + g) * n;
                for (int k = 0; k < n; k++) {
                    values[out + k] = dense[base + chosen[k]];
                    writer.write(chosen[k], bits);
                }
            }
        }
        return new NmMatrix(pattern, rows, cols, values, positions);
    }

    /** As {@link #compress(String, float[], int, int, NmPattern)} for a 2-D array of any type and order. */
    public static NmMatrix compress(String owner, INDArray rowsByCols, NmPattern pattern) {
        if (rowsByCols.rank() != 2) {
            throw new IllegalArgumentException("'" + owner + "' has shape " + Arrays.toString(rowsByCols.shape())
                    + ": an N:M matrix needs [rows, cols]");
        }
        float[] dense = rowsByCols.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return compress(owner, dense, Math.toIntExact(rowsByCols.size(0)), Math.toIntExact(rowsByCols.size(1)), pattern);
    }

    /** Adds the lowest positions not yet chosen until there are N, keeping them ascending. */
    private static void fillWithZeros(int[] chosen, int count, int n) {
        int filled = count;
        for (int j = 0; filled < n; j++) {
            boolean taken = false;
            for (int k = 0; k < count; k++) {
                taken |= chosen[k] == j;
            }
            if (!taken) {
                chosen[filled++] = j;
            }
        }
        Arrays.sort(chosen, 0, n);
    }

    /** The dense row-major {@code [rows, cols]} matrix. */
    public float[] toDense() {
        float[] dense = new float[Math.toIntExact((long) rows * cols)];
        RowPositions.forEachRow(this, 0, rows, (r, columns, v0) -> {
            for (int k = 0; k < columns.length; k++) {
                dense[r * cols + columns[k]] = values[v0 + k];
            }
        });
        return dense;
    }

    /** The dense matrix as a FLOAT {@code [rows, cols]} array. */
    public INDArray toDenseArray() {
        return Nd4j.create(toDense(), new long[] {rows, cols}, 'c');
    }

    public NmPattern pattern() {
        return pattern;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int bitsPerIndex() {
        return bitsPerIndex;
    }

    /** Bytes the matrix holds its weights in: values plus packed positions. */
    public long bytes() {
        return (long) values.length * Float.BYTES + positions.length;
    }

    /** Bytes of the same matrix as dense fp32. */
    public long denseBytes() {
        return (long) rows * cols * Float.BYTES;
    }

    /** The kept values, shared (kernels and the file writer read them; nobody writes). */
    float[] values() {
        return values;
    }

    /** The packed positions, shared. */
    byte[] positions() {
        return positions;
    }

    int rowPositionBytes() {
        return rowPositionBytes;
    }

    private void checkPositions() {
        int n = pattern.n();
        int m = pattern.m();
        RowPositions.forEachRow(this, 0, rows, (r, columns, v0) -> {
            for (int k = 0; k < columns.length; k++) {
                int groupStart = k / n * m;
                boolean ascending = k % n == 0 || columns[k] > columns[k - 1];
                if (!ascending || columns[k] >= groupStart + m) {
                    throw new IllegalArgumentException("N:M matrix [" + rows + ", " + cols + "] at " + pattern + ": row "
                            + r + ", group " + k / n + " has positions out of order or above M-1 (corrupt file?)");
                }
            }
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NmMatrix other && other.pattern.equals(pattern) && other.rows == rows && other.cols == cols
                && Arrays.equals(other.values, values) && Arrays.equals(other.positions, positions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern, rows, cols, Arrays.hashCode(values), Arrays.hashCode(positions));
    }

    @Override
    public String toString() {
        return "NmMatrix " + pattern + " [" + rows + ", " + cols + "] " + bytes() + " bytes";
    }

    /** Little-endian bit stream writer over one row's bytes. */
    private static final class BitWriter {
        private final byte[] out;
        private long bit;

        BitWriter(byte[] out, int offset) {
            this.out = out;
            this.bit = (long) offset * 8;
        }

        void write(int value, int bits) {
            for (int i = 0; i < bits; i++, bit++) {
                if ((value >>> i & 1) != 0) {
                    out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
            }
        }
    }
}
