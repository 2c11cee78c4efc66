package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.policy;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.withProperty;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Logit8}: levels, exact round trip of every code, unbiased stochastic rounding, clamping and the group shift;
 * and a byte-logit {@link MaskPolicy}: same masks and logits on 1 and 3 threads, the reference path, checkpoint
 * round trip.
 */
class Logit8Test {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    /**
     * The log-linear levels: 0 at code 0, −59.5 at 255, 64 per octave of u = 1 − v/4, evenly spaced within one (steps
     * 0.0625, 0.125, 0.25, 0.5), so steps never shrink away from 0 and double at each octave; every level is 4 − 4u
     * for the float whose bits are 0x3F800000 + (c << 17).
     */
    @Test
    void levelsAreLogLinearFromZeroToMinus59Point5() {
        assertEquals(0f, Logit8.decode((byte) 0));
        assertEquals(-59.5f, Logit8.decode((byte) 255));
        for (int c = 0; c < 255; c++) {
            float step = Logit8.decode((byte) c) - Logit8.decode((byte) (c + 1));
            assertEquals(0.0625f * (1 << (c / 64)), step, "step below code " + c);
            float u = Float.intBitsToFloat(0x3F800000 + (c << 17));
            assertEquals(4 - 4 * (double) u, Logit8.decode((byte) c), "level " + c);
        }
    }

    /** Random numbers across [0, 2^17): the least, the greatest and some between. */
    private static final int[] RANDOMS = {0, 1, 1 << 16, 77_777, (1 << 17) - 1};

    @Test
    void everyLevelEncodesToItsCodeWhateverTheRandomNumber() {
        for (int c = 0; c < 256; c++) {
            float level = Logit8.decode((byte) c);
            for (int r : RANDOMS) {
                assertEquals(c, Logit8.encode(level, r) & 0xff, "level " + level);
            }
        }
    }

    @Test
    void valuesRoundToANeighbouringLevelAndOutsideValuesClamp() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) (-59.5 * rng.nextDouble());
            int c = Logit8.encode(v, rng.nextInt(1 << 17)) & 0xff;
            float level = Logit8.decode((byte) c);
            boolean nearestAbove = level >= v && (c == 255 || Logit8.decode((byte) (c + 1)) < v);
            boolean nearestBelow = level < v && Logit8.decode((byte) (c - 1)) > v;
            assertTrue(nearestAbove || nearestBelow, v + " rounded to " + level);
        }
        assertEquals(0, Logit8.encode(3.5f, 99_999));
        assertEquals(0, Logit8.encode(Float.NaN, 99_999));
        for (int r : RANDOMS) {
            assertEquals((byte) 255, Logit8.encode(-59.75f, r));
            assertEquals((byte) 255, Logit8.encode(-75f, r));
            assertEquals((byte) 255, Logit8.encode(Float.NEGATIVE_INFINITY, r));
        }
    }

    /**
     * The encoder is the level table's stochastic rounding: the level at or above the value, rounded down with
     * probability (level above − value)/(level step), decided by the random number against that probability's 2^17
     * parts (exactly: u − u_c is a whole number of u's last bits, and the value's u is exact to half a bit).
     */
    @Test
    void encoderIsTheLevelTablesRounding() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int i = 0; i < 200_000; i++) {
            float v = (float) (i % 10 == 0 ? -rng.nextDouble() : -59.5 * rng.nextDouble() * rng.nextDouble());
            int r = rng.nextInt(1 << 17);
            int c = 0;
            while (c < 255 && Logit8.decode((byte) (c + 1)) >= v) {
                c++;
            }
            int code = Logit8.encode(v, r) & 0xff;
            if (c == 255) {
                assertEquals(255, code, "value " + v);
                continue;
            }
            double above = Logit8.decode((byte) c);
            double down = (above - v) / (above - Logit8.decode((byte) (c + 1)));
            double parts = down * (1 << 17);
            if (Math.abs(r + parts - (1 << 17)) < 1) { // the value's u rounded to a float's bits: within one part
                assertTrue(code == c || code == c + 1, "value " + v + " to code " + code + ", levels " + c + ", " + (c + 1));
                continue;
            }
            assertEquals(r + parts >= 1 << 17 ? c + 1 : c, code, "value " + v + ", random " + r + ", probability " + down);
        }
    }

    /**
     * Unbiased: values across the range, between two levels and next to them, encoded at 50 000 positions each (the
     * hash's randomness), decode on average to themselves within 4 standard errors and within a hundredth of a step;
     * round-to-nearest would be off by up to half a step. Over the 2^17 random numbers the mean is the value exactly.
     */
    @Test
    void roundingIsUnbiasedOverPositions() {
        int draws = 50_000;
        for (float v : new float[] {-0.004f, -0.02f, -0.9f, -3.3333f, -3.999f, -4.001f, -12.01f, -27.9f, -47.3f,
                -59.45f}) {
            float[] x = new float[draws * 4];
            for (int g = 0; g < draws; g++) {
                x[4 * g + 1] = v; // positions 0, 2, 3 hold the group's max 0
            }
            float[] decoded = roundTrip(x, draws, 4, 42);
            double sum = 0;
            double sumSquares = 0;
            for (int g = 0; g < draws; g++) {
                assertEquals(0, decoded[4 * g]);
                double d = decoded[4 * g + 1];
                sum += d;
                sumSquares += d * d;
            }
            double mean = sum / draws;
            double sd = Math.sqrt(Math.max(sumSquares / draws - mean * mean, 0) / draws);
            assertTrue(sd > 0, "the value lies between levels and rounds both ways: " + v);
            assertTrue(Math.abs(mean - v) < 4 * sd, "mean of " + v + " encoded: " + mean + " (sd " + sd + ")");
            double exact = 0;
            for (int r = 0; r < 1 << 17; r++) {
                exact += Logit8.decode(Logit8.encode(v, r));
            }
            int c = 0;
            while (Logit8.decode((byte) (c + 1)) >= v) {
                c++;
            }
            double step = Logit8.decode((byte) c) - Logit8.decode((byte) (c + 1));
            assertEquals(v, exact / (1 << 17), step * 1e-2, "mean over every random number of " + v);
        }
    }

    /** Encodes groups of {@code m} and decodes them again. */
    private static float[] roundTrip(float[] x, int groups, int m, long salt) {
        byte[] codes = new byte[groups * (m - 1)];
        byte[] maxAt = new byte[Logit8.indexBytes(groups, m)];
        Logit8.encode(x, groups, m, 0, salt, codes, maxAt);
        float[] out = new float[groups * m];
        Logit8.decode(codes, maxAt, out, groups, m);
        return out;
    }

    @Test
    void encodingShiftsEachGroupToMaxZeroAndIsDeterministic() {
        float[] x = {7, 0, 7, 0, 1.5f, 2, -3, -100};
        float[] a = roundTrip(x, 2, 4, 9);
        assertArrayEquals(a, roundTrip(x, 2, 4, 9));
        assertEquals(0, a[0]);
        assertEquals(0, a[2]);
        assertEquals(-7, a[1], 0.1);
        assertEquals(0, a[5]);
        assertEquals(-0.5, a[4], 0.05);
        assertEquals(-5, a[6], 0.1);
        assertEquals(Logit8.decode((byte) 255), a[7]);
    }

    /**
     * Groups whose values are levels come back exactly, wherever their maximum sits, for M from 2 to 16 and group
     * counts that end mid-byte of the packed positions; the byte count is M − 1 per group plus the packed positions.
     */
    @Test
    void levelsRoundTripWithTheMaximumAnywhere() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int m : new int[] {2, 3, 4, 5, 8, 16}) {
            int groups = 37;
            float[] x = new float[groups * m];
            for (int g = 0; g < groups; g++) {
                for (int j = 0; j < m; j++) {
                    x[g * m + j] = Logit8.decode((byte) (1 + rng.nextInt(255)));
                }
                x[g * m + rng.nextInt(m)] = 0;
            }
            assertArrayEquals(x, roundTrip(x, groups, m, rng.nextLong()), "M = " + m);
            int bits = Logit8.indexBits(m);
            assertTrue((1 << bits) >= m && 8 % bits == 0, "M = " + m + ": " + bits + " bits");
            assertEquals(groups * (m - 1) + (groups * bits + 7) / 8, Logit8.bytes(groups, m));
        }
        assertEquals(0.8125, Logit8.bytes(4096, 4) / (4096.0 * 4), "bytes per logit at 2:4");
    }

    /**
     * The bulk encoder and decoder (specialised, without branches on the random maximum's position) give exactly the
     * bytes and floats of a plain loop over {@link Logit8#encode(float, int)} and {@link Logit8#decode(byte)}, for
     * random chunks at M = 2, 4, 8, 16: ties (±0 among them), exact levels, values far outside [−60, 0], infinities
     * and NaNs, group counts that end mid-byte, offsets of the first group; nothing past the chunk is written. The
     * encoder that leaves the values as decoded ({@link Logit8#encodeAndDecode}) writes the same bytes, and the values
     * the decoder gives.
     */
    @Test
    void bulkCodecsEqualTheLoopOverTheirDefinition() {
        SplittableRandom rng = new SplittableRandom(18);
        float[] special = {0f, -0f, 1f, -1f, 70f, -70f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (int trial = 0; trial < 400; trial++) {
            int m = new int[] {2, 4, 8, 16}[trial % 4];
            int groups = 1 + rng.nextInt(trial < 200 ? 40 : 700);
            // some chunks' positions cross 2^32, where the hash's high half changes inside a vector of groups
            long firstGroup = trial % 5 == 0 ? (1L << 32) / m - rng.nextInt(40)
                    : rng.nextBoolean() ? rng.nextInt(5000) : rng.nextLong(1L << 40);
            long salt = rng.nextLong();
            float[] x = new float[groups * m];
            int kind = rng.nextInt(4);
            for (int i = 0; i < x.length; i++) {
                x[i] = switch (kind) {
                    case 0 -> (float) (rng.nextGaussian() * 30); // much of it beyond −60 and above 0
                    case 1 -> i % m == 0 ? 0 : Logit8.decode((byte) rng.nextInt(256)); // exact levels below a 0
                    case 2 -> rng.nextInt(4) - 2; // ties
                    default -> rng.nextInt(50) == 0 ? special[rng.nextInt(special.length)] : (float) rng.nextGaussian();
                };
            }
            String where = "M = " + m + ", " + groups + " groups from " + firstGroup + ", kind " + kind;
            byte[] codes = filled(groups * (m - 1) + 5);
            byte[] maxAt = filled(Logit8.indexBytes(groups, m) + 3);
            Logit8.encode(x, groups, m, firstGroup, salt, codes, maxAt);
            byte[] loopCodes = filled(codes.length);
            byte[] loopMaxAt = filled(maxAt.length);
            loopEncode(x, groups, m, firstGroup, salt, loopCodes, loopMaxAt);
            assertArrayEquals(loopCodes, codes, where);
            assertArrayEquals(loopMaxAt, maxAt, where);
            float[] stored = java.util.Arrays.copyOf(x, x.length + 4);
            byte[] storedCodes = filled(codes.length);
            byte[] storedMaxAt = filled(maxAt.length);
            Logit8.encodeAndDecode(stored, groups, m, firstGroup, salt, storedCodes, storedMaxAt);
            assertArrayEquals(loopCodes, storedCodes, where + ", encodeAndDecode");
            assertArrayEquals(loopMaxAt, storedMaxAt, where + ", encodeAndDecode");
            float[] loopStored = java.util.Arrays.copyOf(x, stored.length);
            loopDecode(loopCodes, loopMaxAt, loopStored, groups, m);
            for (int i = 0; i < stored.length; i++) {
                assertEquals(Float.floatToRawIntBits(loopStored[i]), Float.floatToRawIntBits(stored[i]),
                        where + ", encodeAndDecode at " + i);
            }
            for (int i = 0; i < codes.length; i++) { // decode random codes too, not only the encoder's
                codes[i] = rng.nextInt(4) == 0 ? (byte) rng.nextInt(256) : codes[i];
            }
            float[] out = new float[x.length + 4];
            float[] loopOut = new float[out.length];
            java.util.Arrays.fill(out, 7);
            java.util.Arrays.fill(loopOut, 7);
            Logit8.decode(codes, maxAt, out, groups, m);
            loopDecode(codes, maxAt, loopOut, groups, m);
            for (int i = 0; i < out.length; i++) {
                assertEquals(Float.floatToRawIntBits(loopOut[i]), Float.floatToRawIntBits(out[i]), where + " at " + i);
            }
        }
    }

    private static byte[] filled(int length) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) 0x5a);
        return b;
    }

    /** The bulk encoder's definition, one value at a time. */
    private static void loopEncode(float[] x, int groups, int m, long firstGroup, long salt, byte[] codes, byte[] maxAt) {
        int bits = Logit8.indexBits(m);
        java.util.Arrays.fill(maxAt, 0, Logit8.indexBytes(groups, m), (byte) 0);
        int c = 0;
        for (int g = 0; g < groups; g++) {
            int top = 0;
            for (int j = 1; j < m; j++) {
                if (x[g * m + j] > x[g * m + top]) {
                    top = j;
                }
            }
            for (int j = 0; j < m; j++) {
                if (j != top) {
                    float v = x[g * m + j] - x[g * m + top];
                    codes[c++] = Logit8.encode(v, Logit8.random(Logit8.mix(salt), (firstGroup + g) * m + j, v));
                }
            }
            maxAt[g * bits / 8] |= (byte) (top << (g * bits % 8));
        }
    }

    /** The bulk decoder's definition, one code at a time. */
    private static void loopDecode(byte[] codes, byte[] maxAt, float[] to, int groups, int m) {
        int bits = Logit8.indexBits(m);
        int c = 0;
        for (int g = 0; g < groups; g++) {
            int top = (maxAt[g * bits / 8] >> (g * bits % 8)) & ((1 << bits) - 1);
            for (int j = 0; j < m; j++) {
                to[g * m + j] = j == top ? 0 : Logit8.decode(codes[c++]);
            }
        }
    }

    private static INDArray priorLogits(long groups) {
        return GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, groups, 4), P24, 77).muli(7);
    }

    private static MaskPolicy bytePolicy(String threads, String kernel, long groups) {
        return withProperty(MaskPolicy.THREADS_PROPERTY, threads, () -> withProperty(MaskPolicy.KERNEL_PROPERTY, kernel,
                () -> withProperty(MaskPolicy.LOGITS_PROPERTY, "byte", () -> policy(P24, priorLogits(groups)))));
    }

    /** Two blocks of the fused path and part of a third, ascents of the normalized rule's sizes. */
    @Test
    void byteLogitsGiveTheSameMasksAndLogitsOnOneAndThreeThreads() {
        long groups = 2L * MaskPolicy.BLOCK_CHUNKS * 4096 + 1000;
        MaskPolicy one = bytePolicy("1", "fused", groups);
        MaskPolicy three = bytePolicy("3", "fused", groups);
        assertTrue(one.fused() && three.fused());
        assertEquals(0.90625, one.stateBytesPerWeight(), 1e-4, "byte logits, maxima and prior ranks: " + one.stateBytesPerWeight());
        SplittableRandom rng = new SplittableRandom(3);
        for (int step = 0; step < 4; step++) {
            long seed = GumbelTopN.derive(5, step, 0);
            INDArray a = one.sample(seed);
            assertEquals(a, three.sample(seed), "step " + step);
            double scale = (rng.nextBoolean() ? 1 : -1) * 2 * rng.nextDouble();
            one.ascend(a, scale);
            three.ascend(a, scale);
        }
        INDArray logits = one.logits();
        assertEquals(DataType.FLOAT, logits.dataType());
        assertEquals(logits, three.logits());
        assertEquals(0, logits.max(1).amaxNumber().doubleValue(), "every group's max is 0");
        assertTrue(one.changedFromPrior(one.mode()) > 0, "the run moved the mode away from the prior");
        assertEquals(TopN.mask(logits, P24), one.mode().castTo(DataType.FLOAT), "the fused mode ranks as TopN");
        MaskPolicy restored = withProperty(MaskPolicy.LOGITS_PROPERTY, "byte",
                () -> MaskPolicy.restore(P24, one.weights(), logits, one.priorMask()));
        assertEquals(logits, restored.logits(), "decoded levels encode to themselves: a checkpoint restores exactly");
    }

    /** The reference path stores bytes too, and its update agrees with the fused path's in expectation. */
    @Test
    void referencePathAscendsAlongTheSameDirection() {
        MaskPolicy fused = bytePolicy("2", "fused", 20_000);
        MaskPolicy reference = bytePolicy("2", "reference", 20_000);
        assertTrue(!reference.fused());
        assertEquals(fused.logits(), reference.logits(), "the same start");
        INDArray start = fused.logits();
        INDArray mask = fused.sample(11);
        fused.ascend(mask, 2);
        reference.ascend(mask, 2);
        INDArray a = fused.logits();
        INDArray b = reference.logits();
        double moved = a.sub(start).norm1Number().doubleValue() / a.length();
        double between = a.sub(b).meanNumber().doubleValue();
        double spread = a.sub(b).stdNumber().doubleValue() / Math.sqrt(a.length());
        assertTrue(Math.abs(between) < 4 * spread + 1e-6, "paths differ on average by " + between + " (se " + spread + ")");
        assertTrue(moved > 5e-4, "the ascent moved the logits: " + moved);
    }
}
