package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
