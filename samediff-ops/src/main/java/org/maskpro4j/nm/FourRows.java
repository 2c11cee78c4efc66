package org.maskpro4j.nm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Transposition of 16 row-major groups of 4 to 4 rows of 16 lanes and back, in registers (AVX-512 floats). */
final class FourRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int M = 4;
    private static final VectorShuffle<Float> ROW_0 = toRow(0);
    private static final VectorShuffle<Float> ROW_1 = toRow(1);
    private static final VectorShuffle<Float> ROW_2 = toRow(2);
    private static final VectorShuffle<Float> ROW_3 = toRow(3);
    private static final VectorShuffle<Float> GROUPS_0 = toGroups(0);
    private static final VectorShuffle<Float> GROUPS_1 = toGroups(1);
    private static final VectorShuffle<Float> GROUPS_2 = toGroups(2);
    private static final VectorShuffle<Float> GROUPS_3 = toGroups(3);
    private static final VectorMask<Float> QUARTER_1 = lanes(1, true);
    private static final VectorMask<Float> QUARTER_2 = lanes(2, true);
    private static final VectorMask<Float> QUARTER_3 = lanes(3, true);
    private static final VectorMask<Float> POSITION_1 = lanes(1, false);
    private static final VectorMask<Float> POSITION_2 = lanes(2, false);
    private static final VectorMask<Float> POSITION_3 = lanes(3, false);

    private FourRows() {
    }

    static boolean supported(int m) {
        return m == M && FloatVector.SPECIES_PREFERRED.length() == F.length();
    }

    /** Row j from one vector of 4 row-major groups: lane 4q + i takes lane 4i + j, for every q. */
    private static VectorShuffle<Float> toRow(int j) {
        int[] source = new int[F.length()];
        for (int lane = 0; lane < source.length; lane++) {
            source[lane] = M * (lane % M) + j;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    /** Groups 4q..4q+3 from one row: lane 4i + j takes lane 4q + i, for every j. */
    private static VectorShuffle<Float> toGroups(int q) {
        int[] source = new int[F.length()];
        for (int lane = 0; lane < source.length; lane++) {
            source[lane] = M * q + lane / M;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    /** Lanes 4k..4k+3 (quarter), or lanes 4i + k of all i. */
    private static VectorMask<Float> lanes(int k, boolean quarter) {
        boolean[] set = new boolean[F.length()];
        for (int lane = 0; lane < set.length; lane++) {
            set[lane] = (quarter ? lane / M : lane % M) == k;
        }
        return VectorMask.fromArray(F, set, 0);
    }

    static void toRows(float[] groups, int o, float[] rows, int at, int rowLength) {
        int lanes = F.length();
        FloatVector v0 = FloatVector.fromArray(F, groups, o);
        FloatVector v1 = FloatVector.fromArray(F, groups, o + lanes);
        FloatVector v2 = FloatVector.fromArray(F, groups, o + 2 * lanes);
        FloatVector v3 = FloatVector.fromArray(F, groups, o + 3 * lanes);
        v0.rearrange(ROW_0).blend(v1.rearrange(ROW_0), QUARTER_1).blend(v2.rearrange(ROW_0), QUARTER_2)
                .blend(v3.rearrange(ROW_0), QUARTER_3).intoArray(rows, at);
        v0.rearrange(ROW_1).blend(v1.rearrange(ROW_1), QUARTER_1).blend(v2.rearrange(ROW_1), QUARTER_2)
                .blend(v3.rearrange(ROW_1), QUARTER_3).intoArray(rows, at + rowLength);
        v0.rearrange(ROW_2).blend(v1.rearrange(ROW_2), QUARTER_1).blend(v2.rearrange(ROW_2), QUARTER_2)
                .blend(v3.rearrange(ROW_2), QUARTER_3).intoArray(rows, at + 2 * rowLength);
        v0.rearrange(ROW_3).blend(v1.rearrange(ROW_3), QUARTER_1).blend(v2.rearrange(ROW_3), QUARTER_2)
                .blend(v3.rearrange(ROW_3), QUARTER_3).intoArray(rows, at + 3 * rowLength);
    }

    static void fromRows(float[] rows, int at, int rowLength, float[] groups, int o) {
        int lanes = F.length();
        FloatVector r0 = FloatVector.fromArray(F, rows, at);
        FloatVector r1 = FloatVector.fromArray(F, rows, at + rowLength);
        FloatVector r2 = FloatVector.fromArray(F, rows, at + 2 * rowLength);
        FloatVector r3 = FloatVector.fromArray(F, rows, at + 3 * rowLength);
        r0.rearrange(GROUPS_0).blend(r1.rearrange(GROUPS_0), POSITION_1).blend(r2.rearrange(GROUPS_0), POSITION_2)
                .blend(r3.rearrange(GROUPS_0), POSITION_3).intoArray(groups, o);
        r0.rearrange(GROUPS_1).blend(r1.rearrange(GROUPS_1), POSITION_1).blend(r2.rearrange(GROUPS_1), POSITION_2)
                .blend(r3.rearrange(GROUPS_1), POSITION_3).intoArray(groups, o + lanes);
        r0.rearrange(GROUPS_2).blend(r1.rearrange(GROUPS_2), POSITION_1).blend(r2.rearrange(GROUPS_2), POSITION_2)
                .blend(r3.rearrange(GROUPS_2), POSITION_3).intoArray(groups, o + 2 * lanes);
        r0.rearrange(GROUPS_3).blend(r1.rearrange(GROUPS_3), POSITION_1).blend(r2.rearrange(GROUPS_3), POSITION_2)
                .blend(r3.rearrange(GROUPS_3), POSITION_3).intoArray(groups, o + 3 * lanes);
    }
}
