package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.policy;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.withProperty;

import java.util.function.Supplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskBits;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused pass on byte logits at M = 4 hands whole chunks to the kernel as rows (codes decoded into them, ascended,
 * encoded and drawn from there); chunks of other sizes, and runs with {@value MaskPolicy#CHUNK_ARRAYS_PROPERTY}, move
 * through row-major arrays. Both must store the same bytes and draw the same bits, through several ascents per draw,
 * a read of the logits between draws, and an ascent so large that the float lanes overflow and the scalar fallback
 * redoes the block.
 */
class RowsPassTest {
    /** Two whole chunks, a chunk of whole row blocks, and a short one that is not. */
    private static final int GROUPS = 2 * FusedGroupKernel.CHUNK_GROUPS + 3 * FusedGroupKernel.ROW_GROUPS
            + FusedGroupKernel.CHUNK_GROUPS + 40;

    private static MaskPolicy byteLogits(NmPattern pattern, String threads) {
        INDArray logits = Nd4j.randn(Nd4j.getRandomFactory().getNewRandomInstance(5), GROUPS, pattern.m()).muli(4)
                .castTo(DataType.FLOAT);
        return withProperty(MaskPolicy.THREADS_PROPERTY, threads,
                () -> withProperty(MaskPolicy.LOGITS_PROPERTY, "byte", () -> policy(pattern, logits)));
    }

    /** {@code work} with the pass forced through row-major chunk arrays. */
    private static <T> T inArrays(Supplier<T> work) {
        return withProperty(MaskPolicy.CHUNK_ARRAYS_PROPERTY, "true", work);
    }

    private static long[] words(MaskBits bits) {
        long[] out = new long[(int) ((bits.groups() * bits.m() + 63) / 64)];
        for (int i = 0; i < out.length; i++) {
            out[i] = bits.word(i);
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"2:4, 1", "2:4, 3", "1:4, 1", "3:4, 2"})
    void rowsAndChunkArraysStoreAndDrawTheSameBits(String text, String threads) {
        NmPattern pattern = NmPattern.parse(text);
        MaskPolicy rows = byteLogits(pattern, threads);
        MaskPolicy arrays = byteLogits(pattern, threads);
        assertTrue(rows.fused() && rows.inRows(), "the rows path runs here (M = 4, 16 float lanes, the Vector API)");
        assertFalse(inArrays(arrays::inRows));
        double[][] scales = {{0.8}, {-1.3, 0.45}, {2.0, -0.6, 1e39}, {0.3}};
        for (int step = 0; step < scales.length; step++) {
            long seed = GumbelTopN.derive(3, step);
            MaskBits drawn = rows.draw(seed);
            MaskBits expected = inArrays(() -> arrays.draw(seed));
            assertArrayEquals(words(expected), words(drawn), "draw " + step);
            for (int k = 0; k < scales[step].length; k++) {
                rows.ascend(drawn, scales[step][k]);
                arrays.ascend(drawn, scales[step][k]);
            }
            if (step == 1) {
                assertEquals(inArrays(arrays::logits), rows.logits(), "logits read between draws");
            }
        }
        INDArray last = rows.logits();
        assertEquals(inArrays(arrays::logits), last, "logits after the last ascents");
        for (float v : last.data().asFloat()) {
            assertTrue(v <= 0 && v >= -MaskPolicy.LOGIT_RANGE, "stored logits stay codes of [-60, 0], got " + v);
        }
        assertEquals(inArrays(arrays::mode), rows.mode());
        assertTrue(rows.changedFromPrior(rows.mode()) > 0, "the ascents moved the mode");
    }
}
