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

    @Test
    void levelsRunFromZeroToMinusRangeFinestNearZero() {
        assertEquals(0f, Logit8.decode((byte) 0));
        assertEquals(-Logit8.RANGE, Logit8.decode((byte) 255));
        float previousStep = 0;
        for (int c = 0; c < 255; c++) {
            float step = Logit8.decode((byte) c) - Logit8.decode((byte) (c + 1));
            assertTrue(step > previousStep, "steps grow with the distance from 0, code " + c);
            previousStep = step;
        }
        float first = Logit8.decode((byte) 0) - Logit8.decode((byte) 1);
        assertTrue(first > 0.03 && first < 0.035, "step at 0: " + first);
        assertTrue(previousStep < 0.8, "step at -60: " + previousStep);
    }

    @Test
    void everyLevelEncodesToItsCodeWhateverTheRandomNumber() {
        for (int c = 0; c < 256; c++) {
            float level = Logit8.decode((byte) c);
            for (float u : new float[] {0, 0.5f, Math.nextDown(1f)}) {
                assertEquals(c, Logit8.encode(level, u) & 0xff, "level " + level);
            }
        }
    }

    @Test
    void valuesRoundToANeighbouringLevelAndOutsideValuesClamp() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) (-60 * rng.nextDouble());
            int c = Logit8.encode(v, (float) rng.nextDouble()) & 0xff;
            float level = Logit8.decode((byte) c);
            boolean nearestAbove = level >= v && (c == 255 || Logit8.decode((byte) (c + 1)) < v);
            boolean nearestBelow = level < v && Logit8.decode((byte) (c - 1)) > v;
            assertTrue(nearestAbove || nearestBelow, v + " rounded to " + level);
        }
        assertEquals(0, Logit8.encode(3.5f, 0.9f));
        assertEquals((byte) 255, Logit8.encode(-75f, 0.1f));
        assertEquals((byte) 255, Logit8.encode(Float.NEGATIVE_INFINITY, 0.1f));
    }

    /**
     * The closed-form encoder computes the definition on the level table: the level at or above the value, rounded down
     * with probability (level above − value)/(level step). Exact in double here; the float code may differ only where
     * the uniform is within 10⁻⁴ of that probability, or the value within {@link Logit8#SNAP} of a step from a level
     * (where it rounds to the level).
     */
    @Test
    void closedFormEncoderIsTheLevelTablesRounding() {
        SplittableRandom rng = new SplittableRandom(8);
        int near = 0;
        for (int i = 0; i < 200_000; i++) {
            float v = (float) (i % 10 == 0 ? -rng.nextDouble() : -60 * rng.nextDouble() * rng.nextDouble());
            float u = (float) rng.nextDouble();
            int c = 0;
            while (c < 255 && Logit8.decode((byte) (c + 1)) >= v) {
                c++;
            }
            int code = Logit8.encode(v, u) & 0xff;
            if (c == 255) {
                assertEquals(255, code, "value " + v);
                continue;
            }
            double above = Logit8.decode((byte) c);
            double down = (above - v) / (above - Logit8.decode((byte) (c + 1)));
            if (Math.abs(u - down) < 1e-4 || down < Logit8.SNAP * 1.01 || down > 1 - Logit8.SNAP * 1.01) {
                near++;
                assertTrue(code == c || code == c + 1, "value " + v + " to code " + code + ", levels " + c + ", " + (c + 1));
                continue;
            }
            assertEquals(u < down ? c + 1 : c, code, "value " + v + ", uniform " + u + ", probability " + down);
        }
        assertTrue(near < 2_000, near + " draws near a boundary");
    }

    /**
     * Unbiased: a value between two levels, encoded at 20 000 positions (the hash's randomness), decodes on average to
     * itself within 4 standard errors; round-to-nearest would be off by up to half a step.
     */
    @Test
    void roundingIsUnbiasedOverPositions() {
        int draws = 20_000;
        for (float v : new float[] {-0.004f, -0.02f, -0.9f, -3.3333f, -12.01f, -47.5f}) {
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
        assertEquals(-Logit8.RANGE, a[7]);
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
     * bytes and floats of a plain loop over {@link Logit8#encode(float, float)} and {@link Logit8#decode(byte)}, for
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
                    codes[c++] = Logit8.encode(v, Logit8.uniform(Logit8.mix(salt), (firstGroup + g) * m + j, v));
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
