package org.maskpro4j.nm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The lane permutations and masks that move 16 row-major groups of M = 4 or 8 between vectors of 16 / M groups and
 * rows of 16 lanes (one lane per group), for {@link FourPositionLanes} and {@link EightPositionLanes}: a row takes
 * {@code 16 / M} lanes from each vector, a vector M lanes from each row.
 */
final class RowShuffles {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;

    private RowShuffles() {
    }

    /** Row j from one vector of 16 / M row-major groups: lane (16 / M)·q + i takes lane M·i + j, for every q. */
    static VectorShuffle<Float> toRow(int m, int j) {
        int perVector = F.length() / m;
        int[] source = new int[F.length()];
        for (int lane = 0; lane < source.length; lane++) {
            source[lane] = m * (lane % perVector) + j;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    /** The q-th vector's groups from one row: lane M·i + j takes lane (16 / M)·q + i, for every j. */
    static VectorShuffle<Float> toGroups(int m, int q) {
        int perVector = F.length() / m;
        int[] source = new int[F.length()];
        for (int lane = 0; lane < source.length; lane++) {
            source[lane] = perVector * q + lane / m;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    /** The lanes of a row that hold vector k's groups. */
    static VectorMask<Float> vectorLanes(int m, int k) {
        int perVector = F.length() / m;
        boolean[] set = new boolean[F.length()];
        for (int lane = 0; lane < set.length; lane++) {
            set[lane] = lane / perVector == k;
        }
        return VectorMask.fromArray(F, set, 0);
    }

    /** The lanes of a vector of groups that hold position k. */
    static VectorMask<Float> positionLanes(int m, int k) {
        boolean[] set = new boolean[F.length()];
        for (int lane = 0; lane < set.length; lane++) {
            set[lane] = lane % m == k;
        }
        return VectorMask.fromArray(F, set, 0);
    }
}
