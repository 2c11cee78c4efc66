package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The fused CPU kernel against the ND4J reference path: same gradients, same draws, same distribution. */
class FusedGroupKernelTest {
    private static final double LOGIT_RANGE = 60;

    /** Logits in MaskPro's regime (C·m₀ plus noise) for half the groups, spread-out random logits for the rest. */
    private static INDArray logits(NmPattern p, int groups, long seed) {
        Random rng = new Random(seed);
        float[][] rows = new float[groups][p.m()];
        for (int g = 0; g < groups; g++) {
            double[] prior = SubsetLogProbTest.randomSet(p, rng);
            for (int j = 0; j < p.m(); j++) {
                rows[g][j] = (float) (g % 2 == 0 ? 10 * prior[j] + 0.1 * rng.nextGaussian() : 2 * rng.nextGaussian());
            }
        }
        return Nd4j.createFromArray(rows);
    }

    private static INDArray randomMasks(NmPattern p, int groups, long seed) {
        Random rng = new Random(seed);
        double[][] rows = new double[groups][];
        for (int g = 0; g < groups; g++) {
            rows[g] = SubsetLogProbTest.randomSet(p, rng);
        }
        return Nd4j.createFromArray(rows).castTo(DataType.FLOAT);
    }

    /** Both chunk implementations: groups in SIMD lanes (tests run with jdk.incubator.vector) and one by one. */
    private static ChunkMath[] implementations(NmPattern p) {
        ChunkMath best = ChunkMath.best(p);
        assertTrue(best.vectorized(), "the tests run with --add-modules jdk.incubator.vector");
        return new ChunkMath[] {best, new ScalarChunkMath(p)};
    }

    /**
     * Gradients within 1e-6 of the reference, absolute; the entries are O(1) (each in [−1, 1], summing to 0), so
     * that is 1e-6 of the gradient's scale. The SIMD path computes the softmax and the N ≤ 2 forms in float.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "1:4", "2:8", "3:8", "4:8", "8:16"})
    void gradientMatchesTheReference(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = p.n() == 8 ? 203 : 2003; // not a whole number of SIMD blocks: the padding lanes are exercised
        INDArray logits = logits(p, groups, 11);
        INDArray mask = randomMasks(p, groups, 12);
        INDArray reference = SubsetLogProb.gradLogProb(logits, mask, p);
        for (ChunkMath math : implementations(p)) {
            float[] grad = new float[groups * p.m()];
            assertTrue(math.gradient(logits.data().asFloat(), mask.data().asFloat(), groups, grad));
            double worst = Transforms.abs(Nd4j.createFromArray(grad).reshape(groups, p.m()).castTo(DataType.DOUBLE)
                    .sub(reference)).maxNumber().doubleValue();
            assertTrue(worst < 1e-6, p + (math.vectorized() ? " SIMD" : " scalar") + ": max |fused - reference| = "
                    + worst);
        }
    }

    /**
     * The SIMD path's N = 2 closed form in float holds 1e-6 against 80-digit arithmetic over the policy's whole logit
     * range (groups where one kept position holds all but 1e-17 of the mass included, which a 1 − p anywhere in the
     * form gets wrong by up to ~1), and the form written out for 2:4 gives the general lanes' bits on those groups too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "2:8"})
    void simdPairGradientHoldsOverTheWholeLogitRange(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = 2003;
        SubsetLogProbTest.WideGroups c = SubsetLogProbTest.wideRangeGroups(p, groups, 81);
        float[] logits = c.logits().data().asFloat();
        float[] kept = c.mask().data().asFloat();
        float[] grad = new float[groups * p.m()];
        ChunkMath simd = implementations(p)[0];
        assertTrue(simd.gradient(logits, kept, groups, grad));
        double worst = 0;
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < p.m(); j++) {
                worst = Math.max(worst, Math.abs(grad[g * p.m() + j] - c.exact()[g][j]));
            }
        }
        assertTrue(worst < 1e-6, p + " SIMD: max |grad - exact| = " + worst);
        if (FourPositionLanes.supported(p.m())) {
            float[][] x = {logits.clone(), logits.clone()};
            new VectorChunkMath(p, true).step(x[0], kept, 7.5, (float) LOGIT_RANGE, 83, null, groups, 0);
            new VectorChunkMath(p, false).step(x[1], kept, 7.5, (float) LOGIT_RANGE, 83, null, groups, 0);
            assertArrayEquals(x[1], x[0], p + ": written-out and general updates");
        }
    }

    /**
     * The scalar path's per-group gradient ({@link GroupGradient}, the fallback of the SIMD path) in double agrees
     * with 80-digit arithmetic to 1e-9 over the policy's whole logit range, including groups where one kept position
     * holds all but 1e-17 of the mass (it gave 1.0 there for a true 8e-34, and erred by up to 2 at 4:8).
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "2:8", "3:8", "4:8", "8:16"})
    void scalarGradientIsExactOverTheWholeLogitRange(String text) {
        NmPattern p = NmPattern.parse(text);
        SubsetLogProbTest.WideGroups c = SubsetLogProbTest.wideRangeGroups(p, p.n() == 8 ? 5 : 40, 71);
        float[] logits = c.logits().data().asFloat();
        GroupGradient gradient = new GroupGradient(p);
        double[][] grad = new double[c.exact().length][];
        for (int g = 0; g < grad.length; g++) {
            assertTrue(gradient.compute(logits, g * p.m(), c.positions(g)));
            grad[g] = gradient.grad.clone();
        }
        SubsetLogProbTest.assertExact(c, grad, p + " scalar");
    }

    /** The SIMD and scalar chunk paths draw the same masks from the same chunk seed and update alike. */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "1:4", "3:8", "4:8", "8:16"})
    void simdAndScalarChunksAgree(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = p.n() == 8 ? 1001 : FusedGroupKernel.CHUNK_GROUPS - 5;
        float[] kept = randomMasks(p, groups, 52).data().asFloat();
        float[][] x = new float[2][];
        float[][] drawn = new float[2][groups * p.m()];
        ChunkMath[] paths = implementations(p);
        double scale = 7.5;
        for (int i = 0; i < 2; i++) {
            x[i] = logits(p, groups, 51).data().asFloat();
            paths[i].step(x[i], kept, scale, (float) LOGIT_RANGE, 53, drawn[i], groups, 0);
        }
        for (int i = 0; i < x[0].length; i++) {
            // the gradients agree within 1e-6 (above), times the scale, plus the rounding of both updated logits
            double tolerance = scale * 1e-6 + 2 * Math.ulp(x[1][i]);
            assertEquals(x[1][i], x[0][i], tolerance, p + ": updated logit " + i);
        }
        assertArrayEquals(drawn[1], drawn[0], p + ": masks drawn from the updated logits");
    }

    /**
     * The forms written out in registers do the general lanes' operations in the same order, so they give the same
     * bits, masks and updated logits alike, including a block redone by the scalar fallback and a last block of
     * padded lanes: at M = 4 the softmax, the closed form, the update and the race ({@link FourPositionLanes}); at
     * M = 8 the moves between groups and rows ({@link EightPositionLanes}); at N = 4 the subset DP
     * ({@link FourKeptLanes}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "1:4", "3:4", "4:8", "2:8", "3:8", "4:16"})
    void writtenOutFormsMatchTheGeneralLanesBitForBit(String text) {
        NmPattern p = NmPattern.parse(text);
        Assumptions.assumeTrue(FourPositionLanes.supported(4), "needs 16 float lanes (AVX-512)");
        int groups = FusedGroupKernel.CHUNK_GROUPS - 5;
        float[] kept = randomMasks(p, groups, 72).data().asFloat();
        float[] start = logits(p, groups, 71).data().asFloat();
        for (int j = 0; j < p.m(); j++) {
            start[1000 * p.m() + j] = -50f * j; // beyond float's exp range: that block falls back to double
        }
        ChunkMath[] paths = {new VectorChunkMath(p, true), new VectorChunkMath(p, false)};
        float[][] x = new float[2][];
        float[][] drawn = new float[2][groups * p.m()];
        float[][] sampled = new float[2][groups * p.m()];
        for (int i = 0; i < 2; i++) {
            x[i] = start.clone();
            paths[i].step(x[i], kept, 7.5, (float) LOGIT_RANGE, 73, drawn[i], groups, 0);
            paths[i].step(start, null, 0, (float) LOGIT_RANGE, 74, sampled[i], groups, 0);
        }
        assertArrayEquals(x[1], x[0], p + ": updated logits");
        assertArrayEquals(drawn[1], drawn[0], p + ": masks drawn from the updated logits");
        assertArrayEquals(sampled[1], sampled[0], p + ": masks drawn without an update");
        assertNotEquals(java.util.Arrays.hashCode(start), java.util.Arrays.hashCode(x[0]), "the update changed logits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8"})
    void ascendMatchesTheReferenceUpdate(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = 3 * FusedGroupKernel.CHUNK_GROUPS + 17;
        INDArray logits = logits(p, groups, 21);
        for (int j = 0; j < p.m(); j++) {
            // a group spread beyond float's exp range: its block is redone in double by the scalar path
            logits.putScalar(4100, j, -50.0 * j);
        }
        INDArray mask = randomMasks(p, groups, 22);
        double scale = 7.5;
        // what MaskPolicy's ND4J path does: gradient in double, rounded to float, shift to max 0, clamp
        INDArray expected = logits.sub(SubsetLogProb.gradLogProb(logits, mask, p).muli(scale).castTo(DataType.FLOAT));
        expected.subiColumnVector(expected.max(1).reshape(groups, 1));
        Transforms.max(expected, -LOGIT_RANGE, false);
        new FusedGroupKernel(p, 2).ascend(logits, mask.castTo(DataType.BYTE), scale, LOGIT_RANGE);
        float[] fused = logits.data().asFloat();
        float[] reference = expected.data().asFloat();
        for (int i = 0; i < fused.length; i++) {
            // the gradients agree within 1e-6, times the scale, plus the rounding of both updated logits
            double tolerance = scale * 1e-6 + 2 * Math.ulp(reference[i]);
            assertEquals(reference[i], fused[i], tolerance, p + ": updated logit " + i);
        }
    }

    /** The race, which every pattern but 2:4 draws by (2:4 draws sequentially, below). */
    @ParameterizedTest
    @ValueSource(strings = {"1:4", "4:8", "8:16"})
    void sameUniformsDrawTheReferenceMask(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = 5000;
        INDArray logits = logits(p, groups, 31);
        long seed = 32;
        INDArray uniforms;
        try (org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed)) {
            uniforms = Nd4j.rand(rng, groups, p.m()).castTo(DataType.DOUBLE); // what GumbelTopN.gumbel draws
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        float[] drawn = new float[groups * p.m()];
        ScalarChunkMath.drawWithUniforms(logits.data().asFloat(), uniforms.data().asFloat(), p.n(), p.m(), drawn);
        assertArrayEquals(GumbelTopN.sample(logits, p, seed).data().asFloat(), drawn);
    }

    /**
     * 2:4's sequential draw keeps, from the same two uniforms per group, what inverse-CDF sampling without replacement
     * keeps in double precision: the first position where u₁ falls in the cumulative probabilities, the second where
     * u₂ falls in those of the other three renormalised. Float rounding moves a boundary by ~1e-7, which none of these
     * 20,000 draws comes near.
     */
    @Test
    void sequentialPairDrawIsInverseCdfSampling() {
        NmPattern p = NmPattern.of(2, 4);
        int groups = 10_000;
        float[] x = logits(p, groups, 41).data().asFloat();
        Random rng = new Random(42);
        float[] uniforms = new float[2 * groups];
        for (int i = 0; i < uniforms.length; i++) {
            uniforms[i] = ChunkMath.uniform(rng.nextInt());
        }
        float[] drawn = new float[4 * groups];
        ScalarChunkMath.drawPairsWithUniforms(x, uniforms, drawn);
        int[] secondPicks = new int[4];
        for (int g = 0; g < groups; g++) {
            double[] w = new double[4];
            for (int j = 0; j < 4; j++) {
                w[j] = Math.exp(x[4 * g + j]);
            }
            int first = inverseCdf(w, uniforms[2 * g]);
            w[first] = 0;
            int second = inverseCdf(w, uniforms[2 * g + 1]);
            secondPicks[second]++;
            for (int j = 0; j < 4; j++) {
                assertEquals(j == first || j == second ? 1f : 0f, drawn[4 * g + j], "group " + g + " position " + j);
            }
        }
        for (int j = 0; j < 4; j++) {
            assertTrue(secondPicks[j] > 0, "position " + j + " is drawn second in some group");
        }
    }

    private static int inverseCdf(double[] weights, double u) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double cumulative = 0;
        for (int j = 0; j < weights.length; j++) {
            cumulative += weights[j] / total;
            if (weights[j] > 0 && u < cumulative) {
                return j;
            }
        }
        int last = weights.length - 1;
        return weights[last] > 0 ? last : last - 1;
    }

    @Test
    void fusedSetFrequenciesFitExactProbabilities() {
        NmPattern p24 = NmPattern.of(2, 4);
        SetFrequencies.assertChiSquareFits(p24, new double[] {0.3, -0.5, 1.0, 0.1}, 20.515,
                rows -> fusedSample(p24, rows, 101));
        // 2:4 draws sequentially: also with one position dominant and one rare
        SetFrequencies.assertChiSquareFits(p24, new double[] {2.0, -1.0, 0.5, 1.5}, 20.515,
                rows -> fusedSample(p24, rows, 102));
        NmPattern p48 = NmPattern.of(4, 8);
        SetFrequencies.assertChiSquareFits(p48, new double[] {0.4, -0.3, 0.0, 0.8, -0.6, 0.2, 0.5, -0.1}, 111.055,
                rows -> fusedSample(p48, rows, 202));
    }

    private static INDArray fusedSample(NmPattern p, INDArray logits, long seed) {
        INDArray mask = Nd4j.create(DataType.BYTE, logits.size(0), p.m());
        new FusedGroupKernel(p, 2).sample(logits, seed, mask);
        return mask;
    }

    /** 4:8 races, 2:4 draws sequentially: either way the chunks' streams make masks independent of the threads. */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8"})
    void resultsDoNotDependOnTheThreadCount(String text) {
        NmPattern p = NmPattern.parse(text);
        int groups = 5 * FusedGroupKernel.CHUNK_GROUPS + 3;
        INDArray[] logits = {logits(p, groups, 41), null, null};
        logits[1] = logits[0].dup();
        logits[2] = logits[0].dup();
        int[] threads = {1, 2, 3};
        INDArray[] masks = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            FusedGroupKernel kernel = new FusedGroupKernel(p, threads[i]);
            masks[i] = Nd4j.create(DataType.BYTE, groups, p.m());
            kernel.sample(logits[i], 5, masks[i]);
            kernel.ascendAndSample(logits[i], masks[i], -3.0, LOGIT_RANGE, 6, masks[i]);
        }
        assertEquals(masks[0], masks[1]);
        assertEquals(masks[0], masks[2]);
        assertEquals(logits[0], logits[1]);
        assertEquals(logits[0], logits[2]);
        assertTrue(Strictness.check(masks[0], p).strict());
        INDArray other = Nd4j.create(DataType.BYTE, groups, p.m());
        new FusedGroupKernel(p, 1).sample(logits[0], 7, other);
        assertNotEquals(masks[0], other);
        long changed = new FusedGroupKernel(p, 2).changedGroups(masks[0], other);
        assertEquals(Transforms.abs(masks[0].castTo(DataType.FLOAT).sub(other.castTo(DataType.FLOAT))).sum(1).gt(0)
                .castTo(DataType.INT).sumNumber().longValue(), changed);
    }

    /** The plain-array entry point for one chunk computes and draws what the matrix call does for that chunk. */
    @Test
    void oneChunkOnPlainArraysMatchesTheMatrixCall() {
        NmPattern p = NmPattern.of(2, 4);
        int groups = FusedGroupKernel.CHUNK_GROUPS + 100;
        INDArray logits = logits(p, groups, 61);
        INDArray mask = randomMasks(p, groups, 62);
        float[] x = logits.get(NDArrayIndex.interval(FusedGroupKernel.CHUNK_GROUPS, groups), NDArrayIndex.all())
                .dup().data().asFloat();
        float[] kept = mask.get(NDArrayIndex.interval(FusedGroupKernel.CHUNK_GROUPS, groups), NDArrayIndex.all())
                .dup().data().asFloat();
        float[] drawn = new float[x.length];
        FusedGroupKernel kernel = new FusedGroupKernel(p, 1);
        kernel.ascendAndSampleChunk(1, x, kept, 2.5, LOGIT_RANGE, 63, drawn, 100);
        INDArray next = Nd4j.create(DataType.BYTE, groups, p.m());
        kernel.ascendAndSample(logits, mask.castTo(DataType.BYTE), 2.5, LOGIT_RANGE, 63, next);
        assertArrayEquals(rowsOf(logits, FusedGroupKernel.CHUNK_GROUPS, groups), x);
        assertArrayEquals(rowsOf(next, FusedGroupKernel.CHUNK_GROUPS, groups), drawn);
        assertThrows(IllegalArgumentException.class,
                () -> kernel.ascendAndSampleChunk(0, x, kept, 1, LOGIT_RANGE, 1, drawn, FusedGroupKernel.CHUNK_GROUPS));
    }

    /**
     * The matrix call takes masks as BYTE matrices; at M = 4 it reads and writes the matrices' buffers in place, block
     * by block, the mask bytes straight to and from the rows; elsewhere (4:8) chunk by chunk through arrays. The chunk
     * entry point works on FLOAT arrays, masks included. Both give the same bits: whole blocks, a partial last block, a
     * block the scalar fallback redoes (a group spread beyond float's exp range), the mask drawn over the last one, a
     * draw alone and an update alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "1:4", "3:4", "4:8"})
    void matrixBuffersAndChunkArraysGiveTheSameBits(String text) {
        NmPattern p = NmPattern.parse(text);
        int chunk = FusedGroupKernel.CHUNK_GROUPS;
        int groups = chunk + 300;
        INDArray logits = logits(p, groups, 71);
        for (int j = 0; j < p.m(); j++) {
            logits.putScalar(1000, j, -50.0 * j);
        }
        INDArray mask = randomMasks(p, groups, 72).castTo(DataType.BYTE);
        float[][] x = {rowsOf(logits, 0, chunk), rowsOf(logits, chunk, groups)};
        float[][] kept = {rowsOf(mask, 0, chunk), rowsOf(mask, chunk, groups)};
        float[][] onlyDrawn = {new float[x[0].length], new float[x[1].length]};
        float[][] drawn = {new float[x[0].length], new float[x[1].length]};
        FusedGroupKernel kernel = new FusedGroupKernel(p, 1);
        INDArray sampled = Nd4j.create(DataType.BYTE, groups, p.m());
        kernel.sample(logits, 73, sampled);
        kernel.ascendAndSample(logits, mask, 2.5, LOGIT_RANGE, 74, mask);
        INDArray ascended = logits.dup();
        kernel.ascend(ascended, sampled, 4.0, LOGIT_RANGE);
        for (int c = 0; c < 2; c++) {
            int count = c == 0 ? chunk : groups - chunk;
            kernel.ascendAndSampleChunk(c, x[c].clone(), null, 0, LOGIT_RANGE, 73, onlyDrawn[c], count);
            kernel.ascendAndSampleChunk(c, x[c], kept[c], 2.5, LOGIT_RANGE, 74, drawn[c], count);
        }
        assertArrayEquals(concat(onlyDrawn), rowsOf(sampled, 0, groups), p + ": draw alone");
        assertArrayEquals(concat(x), logits.data().asFloat(), p + ": updated logits");
        assertArrayEquals(concat(drawn), rowsOf(mask, 0, groups), p + ": mask drawn over the last one");
        float[][] y = {x[0].clone(), x[1].clone()};
        float[][] k = {rowsOf(sampled, 0, chunk), rowsOf(sampled, chunk, groups)};
        for (int c = 0; c < 2; c++) {
            kernel.ascendAndSampleChunk(c, y[c], k[c], 4.0, LOGIT_RANGE, 0, null, c == 0 ? chunk : groups - chunk);
        }
        assertArrayEquals(concat(y), ascended.data().asFloat(), p + ": update alone");
    }

    /** Groups [from, to) of a FLOAT or BYTE matrix as floats. */
    private static float[] rowsOf(INDArray matrix, int from, int to) {
        return matrix.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).castTo(DataType.FLOAT).dup().data()
                .asFloat();
    }

    private static float[] concat(float[][] parts) {
        float[] all = new float[parts[0].length + parts[1].length];
        System.arraycopy(parts[0], 0, all, 0, parts[0].length);
        System.arraycopy(parts[1], 0, all, parts[0].length, parts[1].length);
        return all;
    }

    @Test
    void rejectsWhatItCannotWorkOnInPlace() {
        NmPattern p = NmPattern.of(2, 4);
        FusedGroupKernel kernel = new FusedGroupKernel(p, 1);
        INDArray doubles = Nd4j.zeros(DataType.DOUBLE, 8, 4);
        INDArray mask = Nd4j.create(DataType.BYTE, 8, 4);
        assertThrows(IllegalArgumentException.class, () -> kernel.sample(doubles, 1, mask));
        INDArray view = Nd4j.zeros(DataType.FLOAT, 16, 4).get(NDArrayIndex.interval(0, 8), NDArrayIndex.all());
        assertThrows(IllegalArgumentException.class, () -> kernel.sample(view, 1, mask));
        INDArray floatMask = Nd4j.create(DataType.FLOAT, 8, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.sample(Nd4j.zeros(DataType.FLOAT, 8, 4), 1, floatMask));
        assertTrue(e.getMessage().contains("BYTE"), e.getMessage());
        INDArray nan = Nd4j.zeros(DataType.FLOAT, 8, 4);
        nan.putScalar(5, 1, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> kernel.ascend(nan,
                TopN.mask(Nd4j.zeros(DataType.FLOAT, 8, 4), p).castTo(DataType.BYTE), 1.0, LOGIT_RANGE));
        assertTrue(e.getMessage().contains("group 5"), e.getMessage());
    }
}
