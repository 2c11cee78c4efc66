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
            INDArray mask = bits.toMask(type);
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

    /** The word-wise count on BYTE masks against the group-by-group one on FLOAT masks, across words, chunks and views. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8, 16})
    void changedGroupsCountsEveryGroupThatDiffersInAnyPosition(int m) {
        long groups = MaskBits.READ_CHUNK + 77; // two read chunks, the last one ending inside a word
        SplittableRandom rng = new SplittableRandom(31 + m);
        MaskBits prior = new MaskBits(groups, m);
        MaskBits other = new MaskBits(groups, m);
        long expected = 0;
        for (int g = 0; g < groups; g++) {
            int kept = rng.nextInt(1 << m);
            prior.set(g, kept);
            int now = rng.nextInt(5) == 0 ? kept ^ 1 << rng.nextInt(m) : kept; // one position flipped in a fifth
            other.set(g, now);
            expected += now != kept ? 1 : 0;
        }
        INDArray bytes = other.toMask(DataType.BYTE);
        assertEquals(expected, prior.changedGroups(bytes));
        assertEquals(expected, prior.changedGroups(bytes.castTo(DataType.FLOAT)), "the group-by-group path");
        assertEquals(0, other.changedGroups(bytes));
        INDArray padded = Nd4j.zeros(DataType.BYTE, groups + 3, m);
        padded.get(NDArrayIndex.interval(3, groups + 3), NDArrayIndex.all()).assign(bytes);
        assertEquals(expected, prior.changedGroups(padded.get(NDArrayIndex.interval(3, groups + 3), NDArrayIndex.all())),
                "a view at an offset");
        bytes.putScalar(groups / 2, m - 1, 2);
        assertThrows(IllegalArgumentException.class, () -> prior.changedGroups(bytes), "an entry of 2");
    }
}
