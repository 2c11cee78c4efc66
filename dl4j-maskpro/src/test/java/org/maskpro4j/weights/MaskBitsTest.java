package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Bits per position: exact round trips across word borders, from any mask type and from views of views. */
class MaskBitsTest {

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 16})
    void roundTripsThroughMasksOfEveryTypeAndViewsOfViews(int m) {
        long groups = 2 * MaskBits.READ_CHUNK + 123; // several read chunks
        SplittableRandom rng = new SplittableRandom(m);
        MaskBits bits = new MaskBits(groups, m);
        int[] expected = new int[(int) groups];
        for (int g = 0; g < groups; g++) {
            expected[g] = rng.nextInt(1 << m);
            bits.set(g, expected[g]);
        }
        for (int g = 0; g < groups; g++) {
            assertEquals(expected[g], bits.get(g), "group " + g);
        }
        for (DataType type : new DataType[] {DataType.BYTE, DataType.FLOAT, DataType.DOUBLE}) {
            INDArray mask = mask(expected, m, type);
            assertEquals(type, mask.dataType());
            MaskBits back = MaskBits.of(mask);
            for (int g = 0; g < groups; g += 97) {
                assertEquals(expected[g], back.get(g), type + " group " + g);
            }
            // a view of a view, as a policy's mask is sliced per weight and then read in chunks
            long first = 1000;
            INDArray slice = mask.get(NDArrayIndex.interval(first, groups - 7), NDArrayIndex.all());
            MaskBits part = MaskBits.of(slice);
            for (int g = 0; g < part.groups(); g += 101) {
                assertEquals(expected[(int) (first + g)], part.get(g), type + " view group " + g);
            }
        }
    }

    /**
     * A draw's chunks written as 0/1 floats, and per-weight ranges starting anywhere, hold every group's bits: a wrong
     * shift, a lost carry between words or a clobbered neighbour word each fail here.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 4, 8, 16})
    void writtenChunksAndRangesHoldEveryGroup(int m) {
        int groups = 3 * 4096 + 45; // three whole chunks of a pass and a partial one
        SplittableRandom rng = new SplittableRandom(17 + m);
        int[] expected = new int[groups];
        for (int g = 0; g < groups; g++) {
            expected[g] = rng.nextInt(1 << m);
        }
        MaskBits bits = new MaskBits(groups, m);
        int chunk = 4096;
        for (int first : new int[] {chunk, 0, 3 * chunk, 2 * chunk}) { // chunks finish in any order
            int count = Math.min(chunk, groups - first);
            float[] floats = new float[count * m];
            for (int g = 0; g < count; g++) {
                for (int j = 0; j < m; j++) {
                    floats[g * m + j] = expected[first + g] >>> j & 1;
                }
            }
            bits.writeFloats(first, count, floats);
        }
        for (int g = 0; g < groups; g++) {
            assertEquals(expected[g], bits.get(g), "group " + g);
        }
        for (long[] r : new long[][] {{0, groups}, {0, 100}, {1, 4096}, {7, groups - 7}, {4099, 5000}, {groups - 1, 1}}) {
            MaskBits range = bits.range(r[0], r[1]);
            assertEquals(r[1], range.groups());
            for (int g = 0; g < r[1]; g++) {
                assertEquals(expected[(int) (r[0] + g)], range.get(g), "range " + r[0] + " group " + g);
            }
            long tail = r[1] * m % 64; // bits after the last group are 0, as a fresh mask's
            if (tail != 0) {
                assertEquals(0, range.word((int) (r[1] * m / 64)) >>> tail, "range " + r[0] + " tail");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> bits.writeFloats(1, 1, new float[m]), "not at a word");
    }

    @ParameterizedTest
    @ValueSource(ints = {4})
    void ofBinaryRefusesSoftEntriesAndTooManyZeros(int m) {
        INDArray half = Nd4j.createFromArray(new float[][] {{1, 0, 1, 0}, {1, 1, 0.5f, 0}});
        assertNull(MaskBits.ofBinary(half, 2));
        INDArray oneKept = Nd4j.createFromArray(new float[][] {{1, 0, 1, 0}, {0, 0, 1, 0}});
        assertNull(MaskBits.ofBinary(oneKept, 2));
        assertEquals(0b0100, MaskBits.ofBinary(oneKept, 3).get(1));
        // the same checks on BYTE masks long enough for whole 64-bit words
        INDArray bytes = Nd4j.zeros(DataType.BYTE, 64, m);
        bytes.getColumn(0).assign(1);
        bytes.getColumn(2).assign(1);
        assertEquals(0b0101, MaskBits.ofBinary(bytes, 2).get(37));
        bytes.putScalar(37, 2, 0);
        assertNull(MaskBits.ofBinary(bytes, 2), "group 37 keeps one of four");
        bytes.putScalar(37, 2, 3);
        assertNull(MaskBits.ofBinary(bytes, 2), "an entry of 3");
    }

    /** A {@code [groups, M]} 0/1 mask of {@code type} keeping bit j of {@code kept[g]} at position (g, j). */
    static INDArray mask(int[] kept, int m, DataType type) {
        byte[] flags = new byte[kept.length * m];
        for (int g = 0; g < kept.length; g++) {
            for (int j = 0; j < m; j++) {
                flags[g * m + j] = (byte) (kept[g] >>> j & 1);
            }
        }
        INDArray bytes = Nd4j.createFromArray(flags).reshape(kept.length, m);
        return type == DataType.BYTE ? bytes : bytes.castTo(type);
    }
}
