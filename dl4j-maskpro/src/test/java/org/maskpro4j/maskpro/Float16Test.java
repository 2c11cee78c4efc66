package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Float16} against the IEEE definition and against ND4J's own HALF cast, bit for bit. */
class Float16Test {

    private static short[] nd4jHalves(float[] values) {
        INDArray half = Nd4j.createFromArray(values).castTo(DataType.HALF);
        short[] out = new short[values.length];
        ShortBuffer b = half.data().asNio().order(ByteOrder.nativeOrder()).asShortBuffer();
        b.get(0, out);
        return out;
    }

    @Test
    void everyHalfDecodesToTheFloatThatEncodesBackToIt() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Float16.decode((short) h);
            boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
            if (nan) {
                assertTrue(Float.isNaN(f), "half " + Integer.toHexString(h));
                continue;
            }
            assertEquals((short) h, Float16.encode(f), "half " + Integer.toHexString(h) + " = " + f);
        }
        assertEquals(65504f, Float16.decode((short) 0x7bff));
        assertEquals(0x1.0p-24f, Float16.decode((short) 1));
        assertEquals(-2f, Float16.decode((short) 0xc000));
    }

    @Test
    void encodingRoundsToNearestEvenLikeNd4jsHalfCast() {
        SplittableRandom rng = new SplittableRandom(7);
        float[] values = new float[200_000];
        int i = 0;
        for (float edge : new float[] {0f, -0f, 1f, -60f, 65504f, 65519.996f, 65520f, 1e20f, -1e20f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0x1.0p-24f, 0x1.0p-25f, 0x1.8p-25f, 0x1.0p-26f,
                0x1.ffcp-15f, 0x1.ffep-15f, 1.0009766f, 1.0004883f, 1.0014648f, Float.MIN_VALUE}) {
            values[i++] = edge;
        }
        while (i < values.length) {
            values[i++] = switch (i % 4) {
                case 0 -> (float) (-60 * rng.nextDouble());                                   // the policy's range
                case 1 -> Float.intBitsToFloat(rng.nextInt());                                 // any float
                case 2 -> (float) ((rng.nextBoolean() ? 1 : -1) * Math.scalb(1 + rng.nextInt(1 << 11) / 2048.0,
                        rng.nextInt(-26, 16)) );                                                   // exact ties
                default -> (float) (rng.nextGaussian() * 1e-5);                                // subnormal halves
            };
        }
        short[] expected = nd4jHalves(values);
        int nanSeen = 0;
        for (int k = 0; k < values.length; k++) {
            short actual = Float16.encode(values[k]);
            if (Float.isNaN(values[k])) {
                nanSeen++;
                assertTrue(Float.isNaN(Float16.decode(actual)));
                continue;
            }
            assertEquals(expected[k], actual, "float " + values[k] + " (" + Float.toHexString(values[k]) + ")");
            float back = Float16.decode(actual);
            if (Math.abs(values[k]) <= 65504f) {
                float halfUlp = Math.max(Math.scalb(1f, Math.getExponent(values[k]) - 10), 0x1.0p-24f);
                assertTrue(Math.abs(back - values[k]) <= halfUlp / 2,
                        "rounding error of " + values[k] + " within half an ulp");
            }
        }
        assertTrue(nanSeen < values.length / 100);
        short[] bulk = new short[values.length];
        Float16.encode(values, bulk, values.length);
        float[] decoded = new float[values.length];
        Float16.decode(bulk, decoded, values.length);
        for (int k = 0; k < values.length; k++) {
            assertEquals(Float16.encode(values[k]), bulk[k], "bulk encoding of " + Float.toHexString(values[k]));
            assertEquals(Float.floatToRawIntBits(Float16.decode(bulk[k])), Float.floatToRawIntBits(decoded[k]));
        }
    }
}
