package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

class SubsetLogProbTest {
    private static final double TOL = 1e-6;
    private static final double FD_STEP = 1e-5;

    /** Random logits (scale 1.5) plus MaskPro's regime 10·m0 with S = m0 and with S != m0. */
    private static Case cases(NmPattern p, long seed) {
        Random rng = new Random(seed);
        int m = p.m();
        int randomRows = p.n() == 8 ? 2 : 6;
        List<double[]> logits = new ArrayList<>();
        List<double[]> masks = new ArrayList<>();
        for (int g = 0; g < randomRows; g++) {
            double[] row = new double[m];
            for (int j = 0; j < m; j++) {
                row[j] = 1.5 * rng.nextGaussian();
            }
            logits.add(row);
            masks.add(randomSet(p, rng));
        }
        double[] m0 = randomSet(p, rng);
        double[] regime = new double[m];
        for (int j = 0; j < m; j++) {
            regime[j] = 10 * m0[j];
        }
        logits.add(regime);
        masks.add(m0);
        logits.add(regime.clone());
        masks.add(shiftByOne(m0));
        return new Case(Nd4j.createFromArray(logits.toArray(new double[0][])),
                Nd4j.createFromArray(masks.toArray(new double[0][])));
    }

    private record Case(INDArray logits, INDArray mask) {
    }

    static double[] randomSet(NmPattern p, Random rng) {
        double[] mask = new double[p.m()];
        int kept = 0;
        while (kept < p.n()) {
            int j = rng.nextInt(p.m());
            if (mask[j] == 0) {
                mask[j] = 1;
                kept++;
            }
        }
        return mask;
    }

    /** The set rotated by one column: differs from the original unless it is invariant (it never is for N < M). */
    private static double[] shiftByOne(double[] mask) {
        double[] shifted = new double[mask.length];
        for (int j = 0; j < mask.length; j++) {
            shifted[(j + 1) % mask.length] = mask[j];
        }
        return shifted;
    }

    // ---- brute force over all N! draw orders (maskpro-spec §1.6a) ----

    private static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double[] p = new double[x.length];
        double sum = 0;
        for (int j = 0; j < x.length; j++) {
            p[j] = Math.exp(x[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < x.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    private static int[] keptColumns(double[] mask) {
        return java.util.stream.IntStream.range(0, mask.length).filter(j -> mask[j] == 1).toArray();
    }

    /**
     * Returns {P(S), grad log P(S)...}: P(S) = sum over orders of the sequential probability, and the gradient as
     * the posterior mean of the ordered-sequence score (spec §1.6f), both summed over every order explicitly.
     */
    static double[] bruteForce(double[] logits, double[] mask) {
        double[] p = softmax(logits);
        int[] set = keptColumns(mask);
        double[] acc = new double[1 + logits.length];
        permute(set, 0, p, acc);
        double[] out = new double[1 + logits.length];
        out[0] = acc[0];
        for (int j = 0; j < logits.length; j++) {
            out[1 + j] = acc[1 + j] / acc[0];
        }
        return out;
    }

    private static void permute(int[] order, int from, double[] p, double[] acc) {
        if (from == order.length) {
            boolean[] drawn = new boolean[p.length];
            double prob = 1;
            double[] score = new double[p.length];
            for (int i : order) {
                double rest = 0;
                for (int j = 0; j < p.length; j++) {
                    rest += drawn[j] ? 0 : p[j];
                }
                prob *= p[i] / rest;
                for (int j = 0; j < p.length; j++) {
                    score[j] -= drawn[j] ? 0 : p[j] / rest;
                }
                score[i] += 1;
                drawn[i] = true;
            }
            acc[0] += prob;
            for (int j = 0; j < p.length; j++) {
                acc[1 + j] += prob * score[j];
            }
            return;
        }
        for (int i = from; i < order.length; i++) {
            swap(order, from, i);
            permute(order, from + 1, p, acc);
            swap(order, from, i);
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static double[] row(INDArray matrix, long g) {
        return matrix.getRow(g).dup().toDoubleVector();
    }

    // ---- tests ----

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "3:8", "4:8", "8:16"})
    void logProbAndGradientMatchBruteForceOverAllDrawOrders(String text) {
        NmPattern p = NmPattern.parse(text);
        Case c = cases(p, 11);
        INDArray logP = SubsetLogProb.logProb(c.logits(), c.mask(), p);
        INDArray grad = SubsetLogProb.gradLogProb(c.logits(), c.mask(), p);
        assertEquals(DataType.DOUBLE, logP.dataType());
        assertEquals(DataType.DOUBLE, grad.dataType());
        for (long g = 0; g < c.logits().size(0); g++) {
            double[] brute = bruteForce(row(c.logits(), g), row(c.mask(), g));
            assertEquals(Math.log(brute[0]), logP.getDouble(g), TOL, "log P, group " + g);
            for (int j = 0; j < p.m(); j++) {
                assertEquals(brute[1 + j], grad.getDouble(g, j), TOL, "grad, group " + g + " column " + j);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "3:8", "4:8", "8:16"})
    void gradientMatchesCentralFiniteDifferences(String text) {
        NmPattern p = NmPattern.parse(text);
        Case c = cases(p, 23);
        INDArray grad = SubsetLogProb.gradLogProb(c.logits(), c.mask(), p);
        for (int j = 0; j < p.m(); j++) {
            INDArray step = Nd4j.zeros(DataType.DOUBLE, c.logits().shape());
            step.get(NDArrayIndex.all(), NDArrayIndex.point(j)).assign(FD_STEP);
            INDArray up = SubsetLogProb.logProb(c.logits().add(step), c.mask(), p);
            INDArray down = SubsetLogProb.logProb(c.logits().sub(step), c.mask(), p);
            INDArray fd = up.sub(down).divi(2 * FD_STEP);
            double err = Transforms.abs(fd.sub(grad.getColumn(j))).maxNumber().doubleValue();
            assertTrue(err <= TOL, text + " column " + j + ": |grad - fd| = " + err);
        }
        double rowSum = Transforms.abs(grad.sum(1)).maxNumber().doubleValue();
        assertTrue(rowSum <= 1e-9, "gradient rows must sum to 0, got " + rowSum);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:4", "2:4", "3:8", "4:8", "8:16"})
    void probabilitiesOfAllSetsSumToOne(String text) {
        NmPattern p = NmPattern.parse(text);
        int sets = (int) p.combinations();
        INDArray all = MaskCode.unrank(Nd4j.arange(0, sets), p);
        Random rng = new Random(5);
        double[] logits = new double[p.m()];
        for (int j = 0; j < p.m(); j++) {
            logits[j] = 2 * rng.nextGaussian();
        }
        INDArray replicated = Nd4j.createFromArray(logits).reshape(1, p.m()).repeat(0, sets);
        double total = Transforms.exp(SubsetLogProb.logProb(replicated, all, p), false).sumNumber().doubleValue();
        assertEquals(1.0, total, 1e-12);
    }

    @Test
    void pairClosedFormEqualsSubsetDp() {
        for (NmPattern p : new NmPattern[] {NmPattern.of(2, 4), NmPattern.of(2, 8), NmPattern.of(2, 16)}) {
            Case c = cases(p, 31);
            INDArray[] closed = SubsetLogProb.compute(c.logits(), c.mask(), p, true, 1000, true, true);
            INDArray[] dp = SubsetLogProb.compute(c.logits(), c.mask(), p, true, 1000, false, true);
            assertEquals(0.0, Transforms.abs(closed[0].sub(dp[0])).maxNumber().doubleValue(), 1e-12, p.toString());
            assertEquals(0.0, Transforms.abs(closed[1].sub(dp[1])).maxNumber().doubleValue(), 1e-12, p.toString());
        }
    }

    @Test
    void chunkBordersDoNotChangeResults() {
        NmPattern p = NmPattern.of(3, 8);
        Case c = cases(p, 41);
        INDArray[] whole = SubsetLogProb.compute(c.logits(), c.mask(), p, true, 1000, true, true);
        INDArray[] chunked = SubsetLogProb.compute(c.logits(), c.mask(), p, true, 3, true, true);
        assertEquals(whole[0], chunked[0]);
        assertEquals(whole[1], chunked[1]);
    }

    /** Reference values of maskpro-spec §1.6(f)/§1.7 and Appendix A item 6, logits = 10·m0. */
    @Test
    void maskProRegimeMatchesSpecReferenceValues() {
        String[] patterns = {"2:4", "4:8", "8:16"};
        double[] probOfMode = {0.999864, 0.999622, 0.999013};
        double[] maxScore = {6.8e-5, 9.5e-5, 1.2e-4};
        for (int i = 0; i < patterns.length; i++) {
            NmPattern p = NmPattern.parse(patterns[i]);
            INDArray m0 = Nd4j.createFromArray(randomSet(p, new Random(i))).reshape(1, p.m());
            INDArray logits = m0.mul(10.0).castTo(DataType.FLOAT);
            assertEquals(probOfMode[i], Math.exp(SubsetLogProb.logProb(logits, m0, p).getDouble(0)), 1e-6,
                    patterns[i]);
            INDArray grad = SubsetLogProb.gradLogProb(logits, m0, p);
            double max = Transforms.abs(grad).maxNumber().doubleValue();
            // the spec rounds to two significant digits
            assertEquals(maxScore[i], max, 0.05 * Math.pow(10, Math.floor(Math.log10(maxScore[i]))), patterns[i]);
            assertEquals(0.0, grad.sumNumber().doubleValue(), 1e-12);
        }
        NmPattern p24 = NmPattern.of(2, 4);
        INDArray logits = Nd4j.createFromArray(new double[][] {{10, 0, 10, 0}});
        INDArray grad = SubsetLogProb.gradLogProb(logits, Nd4j.createFromArray(new double[][] {{0, 1, 0, 1}}), p24);
        INDArray expected = Nd4j.createFromArray(new double[][] {{-0.99996595, 0.99996595, -0.99996595, 0.99996595}});
        assertEquals(0.0, Transforms.abs(grad.sub(expected)).maxNumber().doubleValue(), 1e-8);
    }

    /** The entry point for a policy's own draws computes the same gradient, only without checking strictness. */
    @Test
    void strictMaskEntryPointSkipsOnlyTheCheck() {
        NmPattern p = NmPattern.of(4, 8);
        Case c = cases(p, 61);
        assertEquals(SubsetLogProb.gradLogProb(c.logits(), c.mask(), p),
                SubsetLogProb.gradLogProbOfStrictMasks(c.logits(), c.mask(), p));
        INDArray loose = c.mask().dup();
        loose.putScalar(0, 0, 1 - loose.getDouble(0, 0));
        assertThrows(IllegalArgumentException.class, () -> SubsetLogProb.gradLogProb(c.logits(), loose, p));
        assertDoesNotThrow(() -> SubsetLogProb.gradLogProbOfStrictMasks(c.logits(), loose, p));
    }

    @Test
    void floatAndDoubleLogitsGiveTheSameDoubleResult() {
        NmPattern p = NmPattern.of(4, 8);
        Case c = cases(p, 53);
        INDArray asFloat = c.logits().castTo(DataType.FLOAT);
        INDArray fromFloat = SubsetLogProb.gradLogProb(asFloat, c.mask().castTo(DataType.FLOAT), p);
        INDArray fromDouble = SubsetLogProb.gradLogProb(asFloat.castTo(DataType.DOUBLE), c.mask(), p);
        assertEquals(DataType.DOUBLE, fromFloat.dataType());
        assertEquals(fromDouble, fromFloat);
    }

    /** P(S) = 2·e^-1600 underflows double, yet log P(S) is finite and exact; a mass underflow is reported. */
    @Test
    void extremeLogitsStayFiniteOrFailClearly() {
        NmPattern p = NmPattern.of(2, 4);
        INDArray logits = Nd4j.createFromArray(new double[][] {{800, 0, 0, 0}});
        INDArray farSet = Nd4j.createFromArray(new double[][] {{0, 1, 1, 0}});
        assertEquals(-1600 + Math.log(2), SubsetLogProb.logProb(logits, farSet, p).getDouble(0), 1e-9);
        NmPattern p38 = NmPattern.of(3, 8);
        INDArray logits38 = Nd4j.createFromArray(new double[][] {{0, 0, 0, 0, 0, 0, 0, 0}, {300, 0, 0, 0, 0, 0, 0, 0}});
        INDArray mask38 = Nd4j.createFromArray(new double[][] {{1, 1, 1, 0, 0, 0, 0, 0}, {0, 1, 1, 1, 0, 0, 0, 0}});
        // position 0 holds all the mass, so every remaining mass is ~1 and each of the 3! orders has weight e^-900
        double expected = -900 + Math.log(6);
        assertEquals(expected, SubsetLogProb.logProb(logits38, mask38, p38).getDouble(1), 1e-9);

        INDArray nearSet = Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SubsetLogProb.gradLogProb(logits, nearSet, p));
        assertTrue(e.getMessage().contains("group 0") && e.getMessage().contains("not representable"),
                e.getMessage());
    }

    @Test
    void badInputIsRejectedWithClearMessages() {
        NmPattern p = NmPattern.of(2, 4);
        INDArray logits = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        INDArray loose = Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}, {1, 1, 0, 0}, {1, 1, 1, 0}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SubsetLogProb.logProb(logits, loose, p));
        assertTrue(e.getMessage().contains("not strictly 2:4") && e.getMessage().contains("group 2"), e.getMessage());

        INDArray strict = Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}});
        INDArray nan = logits.dup();
        nan.putScalar(1, 2, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> SubsetLogProb.gradLogProb(nan, strict, p));
        assertTrue(e.getMessage().contains("finite") && e.getMessage().contains("group 1"), e.getMessage());
        INDArray inf = logits.dup();
        inf.putScalar(2, 0, Double.NEGATIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class, () -> SubsetLogProb.logProb(inf, strict, p));
        assertTrue(e.getMessage().contains("finite") && e.getMessage().contains("group 2"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> SubsetLogProb.logProb(logits, strict.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()), p));
        assertTrue(e.getMessage().contains("3 groups") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SubsetLogProb.logProb(Nd4j.zeros(DataType.DOUBLE, 3, 8), strict, p));
        assertTrue(e.getMessage().contains("[groups, 4]"), e.getMessage());
    }
}
