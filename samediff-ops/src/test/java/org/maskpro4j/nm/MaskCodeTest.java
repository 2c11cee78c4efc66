package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

class MaskCodeTest {

    private static INDArray randomStrictMask(NmPattern p, long groups, long seed) {
        Random rng = new Random(seed);
        double[][] rows = new double[(int) groups][];
        for (int g = 0; g < groups; g++) {
            rows[g] = SubsetLogProbTest.randomSet(p, rng);
        }
        return Nd4j.createFromArray(rows);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8", "1:4", "8:16", "3:16"})
    void randomStrictMasksRoundTrip(String text) {
        NmPattern p = NmPattern.parse(text);
        long groups = 1001; // not a multiple of 8, so the last byte is partly used
        INDArray mask = randomStrictMask(p, groups, text.hashCode());
        byte[] code = MaskCode.encode(mask, p);
        assertEquals((groups * p.bitsPerGroup() + 7) / 8, code.length);
        assertEquals(code.length, MaskCode.codeBytes(groups, p));
        INDArray decoded = MaskCode.decode(code, groups, p);
        assertEquals(DataType.FLOAT, decoded.dataType());
        assertEquals(mask.castTo(DataType.FLOAT), decoded);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "1:4", "3:8", "4:8", "8:16", "3:16"})
    void rankingIsABijectionOntoAllCombinations(String text) {
        NmPattern p = NmPattern.parse(text);
        int sets = (int) p.combinations();
        INDArray all = MaskCode.unrank(Nd4j.arange(0, sets), p);
        assertTrue(Strictness.check(all, p).strict());
        assertEquals(Nd4j.arange(0, sets).castTo(DataType.LONG), MaskCode.ranks(all, p));
        // distinct masks: their base-2 values differ
        INDArray powers = Nd4j.createFromArray(java.util.stream.IntStream.range(0, p.m()).mapToDouble(j -> Math.pow(2, j))
                .toArray()).reshape(p.m(), 1);
        double[] values = all.castTo(DataType.DOUBLE).mmul(powers).toDoubleVector();
        assertEquals(sets, java.util.Arrays.stream(values).distinct().count());
    }

    @Test
    void colexRanksAndLittleEndianPackingOfAKnownMask() {
        NmPattern p = NmPattern.of(2, 4);
        // kept {2,3} -> C(2,1)+C(3,2) = 5; {0,2} -> 0+1 = 1; {1,3} -> 1+3 = 4
        INDArray mask = Nd4j.createFromArray(new float[][] {{0, 0, 1, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}});
        assertEquals(Nd4j.createFromArray(5L, 1L, 4L), MaskCode.ranks(mask, p));
        // stream bits (LSB first per group): 101 100 001 -> byte0 = 0b00001101, byte1 = 0b1
        assertArrayEquals(new byte[] {13, 1}, MaskCode.encode(mask, p));
    }

    @Test
    void bitsPerWeight() {
        assertEquals(0.75, MaskCode.bitsPerWeight(NmPattern.of(2, 4)));
        assertEquals(7.0 / 8, MaskCode.bitsPerWeight(NmPattern.of(4, 8)));
        assertEquals(14.0 / 16, MaskCode.bitsPerWeight(NmPattern.of(8, 16)));
        assertEquals(0.5, MaskCode.bitsPerWeight(NmPattern.of(1, 4)));
    }

    @Test
    void badInputIsRejectedWithClearMessages() {
        NmPattern p = NmPattern.of(2, 4);
        INDArray loose = Nd4j.createFromArray(new float[][] {{1, 1, 0, 0}, {1, 0, 0, 0}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskCode.encode(loose, p));
        assertTrue(e.getMessage().contains("not strictly 2:4") && e.getMessage().contains("group 1"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> MaskCode.decode(new byte[2], 8, p));
        assertTrue(e.getMessage().contains("must be 3 bytes") && e.getMessage().contains("got 2 bytes"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskCode.decode(new byte[4], 8, p));
        assertTrue(e.getMessage().contains("must be 3 bytes"), e.getMessage());
        // group 1 holds rank 7 (bits 3..5 set); 2:4 has only 6 combinations
        e = assertThrows(IllegalArgumentException.class, () -> MaskCode.decode(new byte[] {0b0011_1000}, 2, p));
        assertTrue(e.getMessage().contains("group 1 holds rank 7") && e.getMessage().contains("6 combinations"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskCode.unrank(Nd4j.createFromArray(0L, 6L), p));
        assertTrue(e.getMessage().contains("[0, 6)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskCode.unrank(Nd4j.createFromArray(0.0, 2.5), p));
        assertTrue(e.getMessage().contains("fractions"), e.getMessage());
    }

    /** The plain-Java coding agrees with the ND4J reference ({@link MaskCode#ranks}, {@link MaskCode#unrank}). */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "1:4", "3:8", "8:16", "3:16"})
    void codingAgreesWithTheNd4jReferenceForEveryMaskType(String text) {
        NmPattern p = NmPattern.parse(text);
        long groups = 777;
        INDArray mask = randomStrictMask(p, groups, 31L * text.hashCode());
        byte[] reference = packed(MaskCode.ranks(mask, p).toLongVector(), p);
        for (DataType type : new DataType[] {DataType.BYTE, DataType.FLOAT, DataType.DOUBLE, DataType.INT}) {
            assertArrayEquals(reference, MaskCode.encode(mask.castTo(type), p), type.toString());
        }
        // a view in column-major order holds the same mask
        INDArray columnMajor = Nd4j.create(DataType.FLOAT, new long[] {p.m(), groups}, 'f').transpose().assign(mask);
        assertArrayEquals(reference, MaskCode.encode(columnMajor, p));
        assertEquals(MaskCode.unrank(MaskCode.ranks(mask, p), p), MaskCode.decode(reference, groups, p));
    }

    /**
     * Coding runs no ND4J op: the ops' {@code [groups, M]} DOUBLE temporaries are what made writing and reading the
     * mask file of a 103 MB model take 2.6 GiB of native memory (they are freed only by a collection).
     */
    @Test
    void codingRunsNoNd4jOpSoItHoldsNoWholeMaskTemporary() {
        NmPattern p = NmPattern.of(2, 4);
        INDArray mask = randomStrictMask(p, 4096, 5).castTo(DataType.BYTE);
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        try {
            OpProfiler.getInstance().reset();
            MaskCode.ranks(mask, p);
            assertTrue(OpProfiler.getInstance().getInvocationsCount() > 0, "the profiler counts the reference's ops");
            OpProfiler.getInstance().reset();
            byte[] code = MaskCode.encode(mask, p);
            INDArray decoded = MaskCode.decode(code, 4096, p);
            assertEquals(0, OpProfiler.getInstance().getInvocationsCount());
            assertEquals(mask.castTo(DataType.FLOAT), decoded);
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
            OpProfiler.getInstance().reset();
        }
    }

    /** The little-endian packing of the class comment, written out independently of the code under test. */
    private static byte[] packed(long[] ranks, NmPattern p) {
        java.util.BitSet bits = new java.util.BitSet();
        int b = p.bitsPerGroup();
        for (int g = 0; g < ranks.length; g++) {
            for (int i = 0; i < b; i++) {
                bits.set(g * b + i, (ranks[g] >>> i & 1) != 0);
            }
        }
        return java.util.Arrays.copyOf(bits.toByteArray(), (int) MaskCode.codeBytes(ranks.length, p));
    }
}
