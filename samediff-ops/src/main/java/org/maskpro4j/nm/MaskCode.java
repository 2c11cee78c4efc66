package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Compact fixed-length code of a strict N:M mask: each group's kept set as its colexicographic combination rank
 * r = sum_k C(c_k, k+1) over the ascending kept columns c_0 < c_1 < ..., stored in {@link NmPattern#bitsPerGroup()}
 * bits (0.75 bits per weight at 2:4 instead of 1), packed in little-endian bit order: bit i of the stream is bit
 * (i mod 8) of byte i / 8, and group g occupies stream bits [g·b, (g+1)·b), least significant bit first.
 *
 * <p>{@link #ranks} and {@link #unrank} run as ND4J ops over all groups (loops over N and M only): the reference.
 * {@link #encode} and {@link #decode} are serialisation and run group by group in plain Java straight from the mask's
 * buffer, so writing or reading a mask file holds its code and one mask, not the ops' {@code [groups, M]} DOUBLE
 * temporaries (measured: 2.6 GiB of native memory for the masks of a 103 MB model, freed only by a collection).
 */
public final class MaskCode {
    private MaskCode() {
    }

    /** Bits the code spends per weight, e.g. 0.75 for 2:4 and 0.875 for 8:16. */
    public static double bitsPerWeight(NmPattern pattern) {
        return (double) pattern.bitsPerGroup() / pattern.m();
    }

    /** Bytes of the code of {@code groups} groups: ceil(groups · bitsPerGroup / 8). */
    public static long codeBytes(long groups, NmPattern pattern) {
        return (groups * pattern.bitsPerGroup() + 7) / 8;
    }

    /**
     * @param mask strict 0/1 {@code [groups, M]} mask of any numeric type
     * @return {@code [groups]} LONG colex ranks in [0, C(M,N))
     * @throws IllegalArgumentException if the mask is not strictly N:M (naming the first bad group)
     */
    public static INDArray ranks(INDArray mask, NmPattern pattern) {
        Strictness.Report report = Strictness.check(mask, pattern);
        if (!report.strict()) {
            throw new IllegalArgumentException("Cannot code a mask that is not strictly " + pattern + ": "
                    + report.describe("mask", pattern) + "; project it to N:M first (e.g. TopN.mask)");
        }
        INDArray m = mask.castTo(DataType.DOUBLE);
        INDArray[] oneHots = KeptPositions.oneHots(m, pattern.n());
        INDArray rank = Nd4j.zeros(DataType.DOUBLE, mask.size(0));
        for (int k = 0; k < pattern.n(); k++) {
            rank.addi(oneHots[k].mulRowVector(binomialRow(pattern.m(), k + 1)).sum(1));
        }
        return rank.castTo(DataType.LONG);
    }

    /**
     * Inverse of {@link #ranks}: c_k = #{j : C(j, k+1) <= r} - 1, then r -= C(c_k, k+1), for k = N-1 down to 0.
     *
     * @param ranks {@code [groups]} integer-valued ranks in [0, C(M,N))
     * @return {@code [groups, M]} FLOAT 0/1 mask
     */
    public static INDArray unrank(INDArray ranks, NmPattern pattern) {
        long groups = ranks.length();
        int m = pattern.m();
        INDArray r = ranks.castTo(DataType.DOUBLE).reshape(groups, 1).dup();
        double max = r.maxNumber().doubleValue();
        double min = r.minNumber().doubleValue();
        boolean integral = r.neq(Transforms.floor(r, true)).castTo(DataType.DOUBLE).sumNumber().doubleValue() == 0;
        if (!integral || min < 0 || max >= pattern.combinations()) {
            throw new IllegalArgumentException("Ranks for pattern " + pattern + " must be integers in [0, "
                    + pattern.combinations() + "), got values in [" + min + ", " + max + "]"
                    + (integral ? "" : " including fractions"));
        }
        INDArray columns = Nd4j.arange(0, m).castTo(DataType.DOUBLE).reshape(1, m);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, groups, m);
        for (int k = pattern.n() - 1; k >= 0; k--) {
            INDArray binomials = binomialRow(m, k + 1);
            // C(j, k+1) is non-decreasing in j, so the count of entries <= r locates the largest fitting column
            INDArray fits = Nd4j.zeros(DataType.DOUBLE, groups, m).addiRowVector(binomials).subiColumnVector(r).lte(0)
                    .castTo(DataType.DOUBLE);
            INDArray column = fits.sum(1).subi(1.0).reshape(groups, 1);
            INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, groups, m).addiRowVector(columns).subiColumnVector(column)
                    .eq(0).castTo(DataType.DOUBLE);
            mask.addi(oneHot);
            r.subi(oneHot.mulRowVector(binomials).sum(1).reshape(groups, 1));
        }
        return mask.castTo(DataType.FLOAT);
    }

    /**
     * @param mask strict 0/1 {@code [groups, M]} mask
     * @return the packed code, {@link #codeBytes} long
     * @throws IllegalArgumentException if the mask is not strictly N:M or its code would exceed a Java array
     */
    public static byte[] encode(INDArray mask, NmPattern pattern) {
        TopN.requireGroups(mask, pattern);
        long groups = mask.size(0);
        long bytes = codeBytes(groups, pattern);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Code of " + groups + " groups of " + pattern + " needs " + bytes
                    + " bytes, more than one Java array holds: encode the weight in slices");
        }
        int m = pattern.m();
        int n = pattern.n();
        long[][] binomials = binomials(pattern);
        int bits = pattern.bitsPerGroup();
        byte[] code = new byte[(int) bytes];
        // a view or another order is read from one row-major copy (at most the mask's own size)
        INDArray rows = mask.ordering() == 'c' && !mask.isView() ? mask : mask.dup('c');
        DataBuffer data = rows.data();
        long at = rows.offset();
        long bit = 0;
        for (long g = 0; g < groups; g++) {
            long rank = 0;
            int kept = 0;
            boolean binary = true;
            for (int j = 0; j < m; j++) {
                double v = data.getDouble(at++);
                if (v == 1.0) {
                    rank += kept < n ? binomials[kept][j] : 0;
                    kept++;
                } else if (v != 0.0) {
                    binary = false;
                }
            }
            if (!binary || kept != n) {
                ranks(mask, pattern); // throws, naming the first bad group as the reference check does
                throw new IllegalStateException("Group " + g + " is not strictly " + pattern + " but passed the check");
            }
            for (int b = 0; b < bits; b++, bit++) {
                if ((rank >>> b & 1L) != 0) {
                    code[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
            }
        }
        return code;
    }

    /**
     * @param groups number of groups the code holds (it does not store it)
     * @return {@code [groups, M]} FLOAT 0/1 strict mask
     * @throws IllegalArgumentException if the code length does not match {@code groups}, or a group's rank is not a
     *                                  valid combination (a corrupt code or a different pattern)
     */
    public static INDArray decode(byte[] code, long groups, NmPattern pattern) {
        if (groups < 1 || groups > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Group count must be in 1.." + (Integer.MAX_VALUE - 8) + ", got "
                    + groups + ": decode a larger weight in slices");
        }
        long expected = codeBytes(groups, pattern);
        if (code == null || code.length != expected) {
            throw new IllegalArgumentException("Mask code for " + groups + " groups of " + pattern + " must be "
                    + expected + " bytes (" + pattern.bitsPerGroup() + " bits per group), got "
                    + (code == null ? "null" : code.length + " bytes")
                    + ": pass the group count and pattern the code was written with");
        }
        int bits = pattern.bitsPerGroup();
        int m = pattern.m();
        long combinations = pattern.combinations();
        long[][] binomials = binomials(pattern);
        float[] mask = new float[Math.multiplyExact((int) groups, m)];
        long bit = 0;
        for (int g = 0; g < groups; g++) {
            long rank = 0;
            for (int b = 0; b < bits; b++, bit++) {
                rank |= (long) (code[(int) (bit >>> 3)] >>> (bit & 7) & 1) << b;
            }
            if (rank >= combinations) {
                throw new IllegalArgumentException("Mask code group " + g + " holds rank " + rank + ", but " + pattern
                        + " has only " + combinations + " combinations: the code is corrupt or was written for "
                        + "another pattern");
            }
            // c_k is the largest column with C(c_k, k+1) <= r, for k = N-1 down to 0
            for (int k = pattern.n() - 1; k >= 0; k--) {
                int c = m - 1;
                while (binomials[k][c] > rank) {
                    c--;
                }
                mask[g * m + c] = 1f;
                rank -= binomials[k][c];
            }
        }
        return Nd4j.create(mask, new long[] {groups, m}, 'c');
    }

    /** {@code C(j, k+1)} at {@code [k][j]}, for k < N and j < M. */
    private static long[][] binomials(NmPattern pattern) {
        long[][] table = new long[pattern.n()][pattern.m()];
        for (int k = 0; k < pattern.n(); k++) {
            for (int j = 0; j < pattern.m(); j++) {
                table[k][j] = Combinatorics.binomial(j, k + 1);
            }
        }
        return table;
    }

    /** Row vector [C(0, k), C(1, k), ..., C(M-1, k)] in DOUBLE (exact: C(16, 8) = 12870). */
    private static INDArray binomialRow(int m, int k) {
        double[] row = new double[m];
        for (int j = 0; j < m; j++) {
            row[j] = Combinatorics.binomial(j, k);
        }
        return Nd4j.createFromArray(row).reshape(1, m);
    }
}
