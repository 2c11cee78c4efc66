package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskpro4j.nm.MaskCode;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Packed combination ranks: MaskCode's code bit for bit, exact round trips, strictness and changed groups. */
class KeptSetsTest {

    /** Every set of N of the M positions, in a shuffled order. */
    private static List<Integer> allSets(NmPattern p, long seed) {
        List<Integer> sets = new ArrayList<>();
        for (int kept = 0; kept < 1 << p.m(); kept++) {
            if (Integer.bitCount(kept) == p.n()) {
                sets.add(kept);
            }
        }
        java.util.Collections.shuffle(sets, new java.util.Random(seed));
        return sets;
    }

    /** A random set of N of the M positions. */
    private static int randomSet(NmPattern p, SplittableRandom rng) {
        int kept = 0;
        while (Integer.bitCount(kept) < p.n()) {
            kept |= 1 << rng.nextInt(p.m());
        }
        return kept;
    }

    /** The stream's bytes, little-endian, as MaskCode lays its code out. */
    private static byte[] streamBytes(KeptSets sets) {
        byte[] out = new byte[(int) MaskCode.codeBytes(sets.groups(), sets.pattern())];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (sets.word(i / 8) >>> 8 * (i % 8));
        }
        return out;
    }

    /**
     * Every rank of each pattern, at every offset within a word (each set written in a shuffled order, several times):
     * the sets come back, their code is MaskCode's (colex ranks, same bit order) byte for byte, and masks of any type
     * read back the same stream.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8", "8:16", "1:4", "3:4", "1:2", "3:7"})
    void everyRankRoundTripsAndIsMaskCodesCode(String text) {
        NmPattern p = NmPattern.parse(text);
        List<Integer> sets = allSets(p, p.m());
        int repeats = (int) Math.max(1, 2 * KeptSets.BLOCK / sets.size() + 1); // every set at several bit offsets
        int groups = sets.size() * repeats + 5;
        KeptSets kept = new KeptSets(groups, p);
        int[] expected = new int[groups];
        for (int g = 0; g < groups; g++) {
            expected[g] = sets.get((g * 7 + g / sets.size()) % sets.size());
        }
        for (int g = groups - 1; g >= 0; g--) { // written backwards: setting a group leaves its neighbours alone
            kept.set(g, expected[g]);
        }
        assertEquals(8 * ((groups * (long) p.bitsPerGroup() + 63) / 64), kept.bytes(), "no padding per word");
        for (int g = 0; g < groups; g++) {
            assertEquals(expected[g], kept.get(g), text + " group " + g);
        }
        INDArray mask = MaskBitsTest.mask(expected, p.m(), DataType.FLOAT);
        assertArrayEquals(MaskCode.encode(mask, p), streamBytes(kept), "the code of MaskCode, bit for bit");
        assertEquals(mask.castTo(DataType.BYTE), kept.toMask(DataType.BYTE));
        assertEquals(mask, kept.toMask(DataType.FLOAT));
        for (DataType type : new DataType[] {DataType.BYTE, DataType.FLOAT, DataType.DOUBLE}) {
            assertArrayEquals(streamBytes(kept), streamBytes(KeptSets.of(mask.castTo(type), p)), type.toString());
        }
        float[] floats = new float[groups * p.m()];
        kept.readFloats(0, groups, floats);
        assertArrayEquals(mask.data().asFloat(), floats);
    }

    /** Random strict masks over several read chunks, against the bits of the same masks, views and offsets included. */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8", "8:16", "1:4", "3:4", "1:2"})
    void randomMasksReadAsTheirBits(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = 2 * MaskBits.READ_CHUNK + 123;
        SplittableRandom rng = new SplittableRandom(p.m() * 31 + p.n());
        int[] expected = new int[groups];
        for (int g = 0; g < groups; g++) {
            expected[g] = randomSet(p, rng);
        }
        INDArray mask = MaskBitsTest.mask(expected, p.m(), DataType.BYTE);
        KeptSets kept = KeptSets.of(mask, p);
        MaskBits bits = MaskBits.of(mask);
        for (int g = 0; g < groups; g++) {
            assertEquals(bits.get(g), kept.get(g), text + " group " + g);
        }
        float[] a = new float[1000 * p.m()];
        float[] b = new float[a.length];
        kept.readFloats(777, 1000, a);
        bits.readFloats(777, 1000, b);
        assertArrayEquals(b, a);

        // a view of rows read into groups first … of a larger stream: the groups around it stay as they were
        long first = 3 * KeptSets.BLOCK + 13;
        INDArray slice = mask.get(NDArrayIndex.interval(1000, groups - 7), NDArrayIndex.all());
        KeptSets larger = new KeptSets(first + slice.size(0) + 50, p);
        int edge = randomSet(p, rng);
        for (long g = 0; g < larger.groups(); g++) {
            larger.set(g, edge);
        }
        assertTrue(larger.read(slice, first));
        for (long g = 0; g < larger.groups(); g++) {
            boolean inside = g >= first && g < first + slice.size(0);
            assertEquals(inside ? expected[(int) (g - first + 1000)] : edge, larger.get(g), "group " + g);
        }
    }

    @Test
    void refusesMasksThatAreNotStrict() {
        NmPattern p = NmPattern.of(2, 4);
        int[] sets = new int[3 * KeptSets.BLOCK];
        java.util.Arrays.fill(sets, 0b0101);
        assertEquals(sets.length, KeptSets.of(MaskBitsTest.mask(sets, 4, DataType.BYTE), p).groups());
        for (int bad : new int[] {0b0001, 0b0111, 0b1111, 0}) {
            int[] one = sets.clone();
            one[70] = bad;
            INDArray mask = MaskBitsTest.mask(one, 4, DataType.BYTE);
            assertThrows(IllegalArgumentException.class, () -> KeptSets.of(mask, p), Integer.toBinaryString(bad));
            assertFalse(new KeptSets(sets.length, p).read(mask.castTo(DataType.FLOAT), 0));
            assertNull(KeptSets.ofStrict(MaskBits.of(mask), p));
            assertThrows(IllegalArgumentException.class, () -> new KeptSets(1, p).set(0, bad));
        }
        INDArray two = MaskBitsTest.mask(sets, 4, DataType.BYTE);
        two.putScalar(5, 1, 2);
        assertThrows(IllegalArgumentException.class, () -> KeptSets.of(two, p), "an entry of 2");
        INDArray half = MaskBitsTest.mask(sets, 4, DataType.FLOAT);
        half.putScalar(5, 0, 0.5);
        assertThrows(IllegalArgumentException.class, () -> KeptSets.of(half, p), "an entry of 0.5");
        assertThrows(IllegalArgumentException.class, () -> new KeptSets(1, p).set(0, 0b10011), "a position beyond M");
        assertThrows(IllegalArgumentException.class, () -> KeptSets.of(Nd4j.zeros(DataType.BYTE, 4, 8), p), "M = 8");
    }

    /** Changed groups against a group-by-group count, over read chunks, mask types, a view at an offset. */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8", "8:16", "3:4"})
    void changedGroupsCountsEveryGroupThatDiffers(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = MaskBits.READ_CHUNK + 77;
        SplittableRandom rng = new SplittableRandom(41 + p.m());
        KeptSets prior = new KeptSets(groups, p);
        int[] other = new int[groups];
        long expected = 0;
        for (int g = 0; g < groups; g++) {
            int kept = randomSet(p, rng);
            prior.set(g, kept);
            other[g] = rng.nextInt(5) == 0 ? randomSet(p, rng) : kept; // redrawn in a fifth (sometimes the same set)
            expected += other[g] != kept ? 1 : 0;
        }
        INDArray bytes = MaskBitsTest.mask(other, p.m(), DataType.BYTE);
        assertEquals(expected, prior.changedGroups(MaskBits.of(bytes)));
        assertEquals(expected, prior.changedGroups(MaskBits.of(bytes.castTo(DataType.FLOAT))), "FLOAT");
        assertEquals(0, KeptSets.of(bytes, p).changedGroups(MaskBits.of(bytes)));
        INDArray padded = Nd4j.zeros(DataType.BYTE, groups + 3, p.m());
        padded.get(NDArrayIndex.interval(3, groups + 3), NDArrayIndex.all()).assign(bytes);
        assertEquals(expected, prior.changedGroups(MaskBits.of(padded.get(NDArrayIndex.interval(3, groups + 3), NDArrayIndex.all()))),
                "a view at an offset");
        int g = groups / 2;
        bytes.putScalar(g, 0, 1 - bytes.getInt(g, 0)); // a group keeping other than N differs from every set
        assertEquals(expected + (other[g] == prior.get(g) ? 1 : 0), prior.changedGroups(MaskBits.of(bytes)));
        assertThrows(IllegalArgumentException.class, () -> prior.changedGroups(new MaskBits(groups - 1, p.m())),
                "other groups");
    }

    /**
     * Groups of shorter sets (whole blocks and a tail) against a longer stream from a first group anywhere in a word,
     * against a group-by-group count; as bits too, with a group keeping other than N.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8", "8:16", "3:4"})
    void changedGroupsFromAnyFirstGroupCountEveryGroupThatDiffers(String text) {
        NmPattern p = NmPattern.parse(text);
        SplittableRandom rng = new SplittableRandom(17 + p.m());
        int count = 5 * KeptSets.BLOCK + 29;
        KeptSets longer = new KeptSets(count + 200, p);
        for (long g = 0; g < longer.groups(); g++) {
            longer.set(g, randomSet(p, rng));
        }
        for (long first : new long[] {0, 1, 21, 64, 77, 200}) {
            KeptSets sets = new KeptSets(count, p);
            int[] kept = new int[count];
            long expected = 0;
            for (int g = 0; g < count; g++) {
                int there = longer.get(first + g);
                kept[g] = rng.nextInt(30) == 0 ? randomSet(p, rng) : there; // some blocks unchanged, some not
                sets.set(g, kept[g]);
                expected += kept[g] != there ? 1 : 0;
            }
            assertEquals(expected, longer.changedGroups(first, sets), "first " + first);
            MaskBits bits = MaskBits.of(MaskBitsTest.mask(kept, p.m(), DataType.BYTE));
            assertEquals(expected, longer.changedGroups(first, bits), "bits from " + first);
            int g = count / 3;
            bits.set(g, kept[g] ^ 1); // keeps other than N: differs from every set
            assertEquals(expected + (kept[g] == longer.get(first + g) ? 1 : 0), longer.changedGroups(first, bits));
        }
        assertThrows(IllegalArgumentException.class, () -> longer.changedGroups(201, new KeptSets(count, p)), "past the end");
    }
}
