package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
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

    // ---- brute force over all N! draw orders (maskpro-spec §1.6a), in 80-digit decimal arithmetic ----

    private static final MathContext DIGITS = new MathContext(80);
    private static final BigDecimal NEGLIGIBLE = BigDecimal.ONE.movePointLeft(90);

    /** e^x for x ≤ 0: the Taylor series of e^(-x/2^h) at -x/2^h ≤ 1/2, squared h times, inverted. */
    private static BigDecimal exp(BigDecimal x) {
        BigDecimal y = x.negate();
        int halvings = 0;
        while (y.compareTo(BigDecimal.valueOf(0.5)) > 0) {
            y = y.divide(BigDecimal.valueOf(2), DIGITS);
            halvings++;
        }
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        for (int k = 1; term.compareTo(NEGLIGIBLE) > 0; k++) {
            term = term.multiply(y, DIGITS).divide(BigDecimal.valueOf(k), DIGITS);
            sum = sum.add(term, DIGITS);
        }
        for (int i = 0; i < halvings; i++) {
            sum = sum.multiply(sum, DIGITS);
        }
        return BigDecimal.ONE.divide(sum, DIGITS);
    }

    private static int[] keptColumns(double[] mask) {
        return java.util.stream.IntStream.range(0, mask.length).filter(j -> mask[j] == 1).toArray();
    }

    /**
     * Returns {P(S), grad log P(S)...}: P(S) = sum over orders of the sequential probability, and the gradient as
     * the posterior mean of the ordered-sequence score (spec §1.6f), both summed over every order explicitly, in
     * 80 digits, so neither carries double's cancellation: an order's score for position j is 1[j in S] minus
     * p_j / rest at each step at which j was still available.
     */
    static double[] bruteForce(double[] logits, double[] mask) {
        int m = logits.length;
        BigDecimal max = new BigDecimal(java.util.Arrays.stream(logits).max().orElseThrow());
        BigDecimal[] p = new BigDecimal[m];
        BigDecimal partition = BigDecimal.ZERO;
        for (int j = 0; j < m; j++) {
            p[j] = exp(new BigDecimal(logits[j]).subtract(max));
            partition = partition.add(p[j], DIGITS);
        }
        for (int j = 0; j < m; j++) {
            p[j] = p[j].divide(partition, DIGITS);
        }
        int[] set = keptColumns(mask);
        // acc[0]: P(S); acc[1 + j]: the sum over orders of P(order) times the sum of 1/rest over the steps at which
        // position j was still available, for kept j; acc[1 + m]: the same for an unkept position (every step)
        BigDecimal[] acc = new BigDecimal[2 + m];
        java.util.Arrays.fill(acc, BigDecimal.ZERO);
        BigDecimal all = java.util.Arrays.stream(p).reduce(BigDecimal.ZERO, (a, b) -> a.add(b, DIGITS));
        permute(set, 0, p, all, BigDecimal.ONE, BigDecimal.ZERO, new BigDecimal[m], acc);
        double[] out = new double[1 + m];
        out[0] = acc[0].doubleValue();
        for (int j = 0; j < m; j++) {
            BigDecimal steps = mask[j] == 1 ? acc[1 + j] : acc[1 + m];
            BigDecimal drawn = mask[j] == 1 ? BigDecimal.ONE : BigDecimal.ZERO;
            out[1 + j] = drawn.subtract(p[j].multiply(steps, DIGITS).divide(acc[0], DIGITS), DIGITS).doubleValue();
        }
        return out;
    }

    /**
     * Draws order[from..] in every order. {@code rest}: the mass not yet drawn (80 digits make its subtraction
     * harmless: it never drops below e^-60); {@code prob}: the order's probability so far; {@code steps}: the sum of
     * 1/rest over the steps so far; {@code steps[j]} for a drawn j: that sum up to and including j's own step.
     */
    private static void permute(int[] order, int from, BigDecimal[] p, BigDecimal rest, BigDecimal prob,
            BigDecimal steps, BigDecimal[] stepsUntil, BigDecimal[] acc) {
        if (from == order.length) {
            acc[0] = acc[0].add(prob, DIGITS);
            for (int j : order) {
                acc[1 + j] = acc[1 + j].add(prob.multiply(stepsUntil[j], DIGITS), DIGITS);
            }
            acc[acc.length - 1] = acc[acc.length - 1].add(prob.multiply(steps, DIGITS), DIGITS);
            return;
        }
        BigDecimal inv = BigDecimal.ONE.divide(rest, DIGITS);
        BigDecimal next = steps.add(inv, DIGITS);
        for (int i = from; i < order.length; i++) {
            swap(order, from, i);
            int drawn = order[from];
            stepsUntil[drawn] = next;
            permute(order, from + 1, p, rest.subtract(p[drawn], DIGITS),
                    prob.multiply(p[drawn], DIGITS).multiply(inv, DIGITS), next, stepsUntil, acc);
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

    // ---- groups over the policy's whole logit range, against the 80-digit sums ----

    /** Max |gradient - exact| allowed on the wide-range groups: the entries are O(1), double rounding is ~1e-16. */
    static final double EXACT_TOL = 1e-9;

    /** FLOAT logits {@code [groups, M]} and their kept sets; {@code exact} the 80-digit gradient of each group. */
    record WideGroups(INDArray logits, INDArray mask, double[][] exact) {
        int[] positions(int g) {
            return keptColumns(row(mask, g));
        }
    }

    /**
     * Logits as MaskPolicy keeps them (max 0, clamped at -60, FLOAT), where late in a run one kept position can hold
     * all but 1e-17 of a group's mass, next to ordinary groups. Group 0 is the reported case (2:4: logits
     * [-54.7, -53.7, -47.8, -9.4], positions 0 and 3 kept), padded with low logits and kept positions for larger
     * patterns; then, in turn: uniform over [-60, 0] with a random set, the same with the top N kept (the policy's
     * likely draw), 2·N(0,1) with a random set, and MaskPro's start 10·m0 + noise with S = m0.
     */
    static WideGroups wideRangeGroups(NmPattern p, int groups, long seed) {
        Random rng = new Random(seed);
        int m = p.m();
        float[][] logits = new float[groups][m];
        double[][] masks = new double[groups][];
        double[] reported = {-54.7, -53.7, -47.8, -9.4};
        masks[0] = new double[m];
        for (int j = 0; j < m; j++) {
            logits[0][j] = (float) (j < 4 ? reported[j] : -58 + 0.5 * j);
        }
        for (int j = 0, kept = 0; j < m && kept < p.n(); j++) {
            if (j != 1 && j != 2) {
                masks[0][j] = 1;
                kept++;
            }
        }
        for (int g = 1; g < groups; g++) {
            double[] set = randomSet(p, rng);
            double[] x = new double[m];
            for (int j = 0; j < m; j++) {
                x[j] = switch (g % 4) {
                    case 0, 1 -> -60 * rng.nextDouble();
                    case 2 -> 2 * rng.nextGaussian();
                    default -> 10 * set[j] + 0.1 * rng.nextGaussian();
                };
            }
            double max = java.util.Arrays.stream(x).max().orElseThrow();
            for (int j = 0; j < m; j++) {
                logits[g][j] = (float) Math.max(x[j] - max, -60);
            }
            masks[g] = g % 4 == 1 ? TopN.mask(Nd4j.createFromArray(x).reshape(1, m), p).toDoubleVector() : set;
        }
        double[][] exact = new double[groups][];
        for (int g = 0; g < groups; g++) {
            double[] x = new double[m];
            for (int j = 0; j < m; j++) {
                x[j] = logits[g][j];
            }
            exact[g] = java.util.Arrays.copyOfRange(bruteForce(x, masks[g]), 1, 1 + m);
        }
        return new WideGroups(Nd4j.createFromArray(logits), Nd4j.createFromArray(masks), exact);
    }

    /** Asserts every entry of {@code grad} (row g is group g) within {@link #EXACT_TOL} of the exact gradient. */
    static void assertExact(WideGroups c, double[][] grad, String what) {
        double worst = 0;
        int worstGroup = 0;
        for (int g = 0; g < grad.length; g++) {
            for (int j = 0; j < grad[g].length; j++) {
                double err = Math.abs(grad[g][j] - c.exact()[g][j]);
                if (!(err <= worst)) {
                    worst = err;
                    worstGroup = g;
                }
            }
        }
        assertTrue(worst <= EXACT_TOL, what + ": max |grad - exact| = " + worst + " in group " + worstGroup
                + ", logits " + java.util.Arrays.toString(row(c.logits(), worstGroup)) + ", kept "
                + java.util.Arrays.toString(c.positions(worstGroup)) + ": got "
                + java.util.Arrays.toString(grad[worstGroup]) + ", exact "
                + java.util.Arrays.toString(c.exact()[worstGroup]));
    }

    // ---- tests ----
    /**
     * Both the N = 2 closed form and the subset DP agree with 80-digit arithmetic to 1e-9 over the policy's whole
     * logit range. Before the gradient of a kept position was computed as 1 - p (C_all - C_in), they gave 1.0 where
     * the true value is 8e-34 (group 0) and erred by up to ~2 on spread groups: C_all and C_in reach 1e17 there.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "2:8", "3:8", "4:8", "8:16"})
    void gradientIsExactOverTheWholeLogitRange(String text) {
        NmPattern p = NmPattern.parse(text);
        WideGroups c = wideRangeGroups(p, p.n() == 8 ? 5 : 40, 71);
        for (boolean pairClosedForm : p.n() == 2 ? new boolean[] {true, false} : new boolean[] {false}) {
            INDArray grad = SubsetLogProb.compute(c.logits(), c.mask(), p, true, 7, pairClosedForm, true)[1];
            assertExact(c, grad.toDoubleMatrix(), p + (pairClosedForm ? " closed form" : " subset DP"));
        }
    }


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
