package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.policy;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.withProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused policy applies an update in the same pass as the next draw, one kernel chunk at a time. These tests hold it
 * to the order it replaces, bit for bit: every update its own pass, the logits stored (halves rounded) between passes,
 * the draw over FLOAT block matrices with the kernel's matrix API (bytes: each ascent rounds as {@link Logit8} does). Masks and logits must match for every step of a
 * MaskPro run with K = 2 (two ascents per draw), also when the logits are read mid-run, and across a checkpoint.
 */
class FusedPassTest {
    /** Two blocks of chunks and a short third one. */
    private static final int GROUPS = 2 * MaskPolicy.BLOCK_CHUNKS * FusedGroupKernel.CHUNK_GROUPS + 1000;
    private static final int STEPS = 4;

    /** The policy's earlier fused order: one pass per ascent and per draw, over FLOAT copies of 16-chunk blocks. */
    private static final class SeparatePasses {
        private final NmPattern pattern;
        private final FusedGroupKernel kernel;
        private final INDArray stored;
        /** Whether the policy stores {@link Logit8} bytes: {@link #stored} then holds their decoded FLOATs. */
        private final boolean bytes;

        SeparatePasses(NmPattern pattern, INDArray logits, String logitType) {
            this.pattern = pattern;
            this.kernel = new FusedGroupKernel(pattern, 1);
            this.stored = logits.dup('c');
            this.bytes = logitType.equals("byte");
        }

        INDArray sample(long seed) {
            INDArray out = Nd4j.create(DataType.BYTE, GROUPS, pattern.m());
            forEachBlock((first, count, block, x) -> {
                INDArray drawn = Nd4j.create(DataType.BYTE, count, pattern.m());
                kernel.sample(x, GumbelTopN.derive(seed, block), drawn);
                out.get(rows(first, count)).assign(drawn);
                return false;
            });
            return out;
        }

        void ascend(INDArray mask, double scale) {
            forEachBlock((first, count, block, x) -> {
                kernel.ascend(x, mask.get(rows(first, count)).castTo(DataType.BYTE).dup('c'), scale,
                        MaskPolicy.LOGIT_RANGE);
                if (bytes) {
                    float[] v = x.data().asFloat();
                    byte[] codes = new byte[count * (pattern.m() - 1)];
                    byte[] maxAt = new byte[Logit8.indexBytes(count, pattern.m())];
                    Logit8.encode(v, count, pattern.m(), first, MaskPolicy.salt(scale), codes, maxAt);
                    Logit8.decode(codes, maxAt, v, count, pattern.m());
                    x.assign(Nd4j.createFromArray(v).reshape(x.shape()));
                }
                return true;
            });
        }

        private interface BlockWork {
            /** @return whether {@code x} changed and goes back into the stored logits */
            boolean run(long first, int count, long block, INDArray x);
        }

        private void forEachBlock(BlockWork work) {
            int blockGroups = MaskPolicy.BLOCK_CHUNKS * FusedGroupKernel.CHUNK_GROUPS;
            for (long first = 0, block = 0; first < GROUPS; first += blockGroups, block++) {
                int count = (int) Math.min(blockGroups, GROUPS - first);
                INDArray x = stored.get(rows(first, count)).castTo(DataType.FLOAT).dup('c');
                if (work.run(first, count, block, x)) {
                    stored.get(rows(first, count)).assign(x.castTo(stored.dataType()));
                }
            }
        }

        private static org.nd4j.linalg.indexing.INDArrayIndex[] rows(long first, int count) {
            return new org.nd4j.linalg.indexing.INDArrayIndex[] {
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + count),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()};
        }
    }

    private static INDArray priorLogits(NmPattern pattern) {
        return GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, GROUPS, pattern.m()), pattern, 77).muli(7);
    }

    private static MaskProStep run(NmPattern pattern, String threads, String logitType) {
        MaskPolicy policy = withProperty(MaskPolicy.THREADS_PROPERTY, threads,
                () -> withProperty(MaskPolicy.LOGITS_PROPERTY, logitType, () -> policy(pattern, priorLogits(pattern))));
        assertTrue(policy.fused());
        return new MaskProStep(config(pattern), policy);
    }

    private static MaskProConfig config(NmPattern pattern) {
        return MaskProConfig.builder().pattern(pattern).samplesPerStep(2).steps(STEPS).seed(11).build();
    }

    /** The K losses of step {@code step}: different per sample, so both ascents have weight. */
    private static double[] losses(long step) {
        return new double[] {1.0 + 0.01 * step, 1.02 - 0.005 * step};
    }

    private static void assertSameLogits(INDArray expected, MaskPolicy policy, String what) {
        INDArray actual = policy.logits();
        assertEquals(expected.dataType(), actual.dataType());
        if (actual.dataType() == DataType.HALF) {
            assertEquals(halves(expected), halves(actual), what); // bits, not values: -0 and NaN count
        } else {
            assertEquals(expected, actual, what);
        }
    }

    private static List<Short> halves(INDArray a) {
        ShortBuffer b = a.data().asNio().order(ByteOrder.nativeOrder()).asShortBuffer();
        List<Short> out = new ArrayList<>(b.limit());
        for (int i = 0; i < a.length(); i++) {
            out.add(b.get(i));
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"2:4, 1, half", "2:4, 3, half", "4:8, 1, float", "2:4, 3, byte"})
    void fusedStepsDrawAndUpdateExactlyAsSeparatePasses(String text, String threads, String logitType) throws IOException {
        NmPattern pattern = NmPattern.parse(text);
        MaskProStep state = run(pattern, threads, logitType);
        SeparatePasses reference = new SeparatePasses(pattern, state.policy().logits(), logitType);
        for (int step = 0; step < STEPS; step++) {
            INDArray[] masks = state.sampleMasks();
            long seedStep = state.step();
            for (int k = 0; k < masks.length; k++) {
                assertEquals(reference.sample(GumbelTopN.derive(11, seedStep, k)), masks[k], "step " + step + " mask " + k);
            }
            MaskProStep.Update update = state.advance(masks, 1.0, losses(step));
            for (int k = 0; k < masks.length; k++) {
                assertTrue(update.ascentWeights()[k] != 0, "both samples move the logits");
                reference.ascend(masks[k], update.ascentWeights()[k]);
            }
            if (step == 1) {
                assertSameLogits(reference.stored, state.policy(), "logits read mid-run, step " + step);
            }
            if (step == 2) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                MaskProCheckpoint.write(out, state, List.of(), null);
                MaskProCheckpoint.Snapshot snap = MaskProCheckpoint.read(new ByteArrayInputStream(out.toByteArray()), "memory");
                var weights = state.policy().weights();
                state = withProperty(MaskPolicy.THREADS_PROPERTY, threads, () -> withProperty(MaskPolicy.LOGITS_PROPERTY,
                        logitType, () -> snap.bind(weights, config(pattern))));
            }
        }
        assertSameLogits(reference.stored, state.policy(), "logits after " + STEPS + " steps");
        assertTrue(state.policy().changedFromPrior(state.policy().mode()) > 0, "the run moved the mode");
    }

    /** A replica replays steps without drawing: more ascents than the policy holds back still land as separate passes. */
    @org.junit.jupiter.api.Test
    void manyAscentsWithoutADrawEqualSeparatePasses() {
        NmPattern pattern = NmPattern.of(2, 4);
        MaskProStep state = run(pattern, "1", "half");
        SeparatePasses reference = new SeparatePasses(pattern, state.policy().logits(), "half");
        INDArray[] masks = state.sampleMasks();
        for (int i = 0; i < 11; i++) {
            double scale = (i % 3 - 1) * 0.7 + 0.3;
            state.replay(new INDArray[] {masks[i % 2]}, new double[] {scale});
            reference.ascend(masks[i % 2], scale);
        }
        assertSameLogits(reference.stored, state.policy(), "after 11 replayed ascents");
    }
}
