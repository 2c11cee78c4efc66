package org.maskpro4j.nm;

import java.util.Arrays;

/**
 * d log P(S) / d logits for one group at a time, in double on plain arrays: the per-group form of
 * {@link SubsetLogProb}'s math (maskpro-spec §1.6), for the fused CPU kernel. N = 2 uses the closed form of §1.6(b),
 * larger N the subset DP of §1.6(e) over bitmasks of the kept positions, on the same scaled tables as the reference
 * (the product of the kept probabilities factored out, remaining masses as sums, a kept position's step weight
 * C_out summed directly rather than as C_all - C_in), so no entry underflows or cancels where the reference's does
 * not. One instance is scratch for one thread.
 */
final class GroupGradient {
    private final int n;
    private final int m;
    private final int full;
    private final double[] prob;
    private final double[] kept;
    private final double[] keptSum;
    private final double[] inv;
    private final double[] forward;
    private final double[] backward;
    /** C_out[k] = sum of c_T over the drawn sets T != full without kept position k (maskpro-spec §1.6e). */
    private final double[] cOut;
    /** The gradient of the last {@link #compute} call, one entry per position. */
    final double[] grad;

    GroupGradient(NmPattern pattern) {
        this.n = pattern.n();
        this.m = pattern.m();
        this.full = (1 << n) - 1;
        this.prob = new double[m];
        this.kept = new double[n];
        this.keptSum = new double[1 << n];
        this.inv = new double[1 << n];
        this.forward = new double[1 << n];
        this.backward = new double[1 << n];
        this.cOut = new double[n];
        this.grad = new double[m];
    }

    /**
     * @param logits    the group's M logits, read from {@code offset}
     * @param positions the N kept positions in ascending order
     * @return false when the result is not representable (NaN or infinite); {@link #grad} then holds garbage
     */
    boolean compute(float[] logits, int offset, int[] positions) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double partition = 0;
        for (int j = 0; j < m; j++) {
            double e = Math.exp(logits[offset + j] - max);
            prob[j] = e;
            partition += e;
        }
        double unkept = 0;
        int next = 0;
        for (int j = 0; j < m; j++) {
            double p = prob[j] / partition;
            prob[j] = p;
            if (next < n && positions[next] == j) {
                kept[next++] = p;
            } else {
                unkept += p;
            }
        }
        double cAll;
        if (n == 2) {
            // §1.6(b): ia = 1/(1 - p_a), ib = 1/(1 - p_b), remaining masses as sums; C_out[a] = 1 + c_{b}
            double ia = 1.0 / (unkept + kept[1]);
            double ib = 1.0 / (unkept + kept[0]);
            double scaled = ia + ib;
            double cA = ia * ia / scaled;
            double cB = ib * ib / scaled;
            cOut[0] = 1.0 + cB;
            cOut[1] = 1.0 + cA;
            cAll = cA + cB + 1.0;
        } else {
            cAll = subsetDp(unkept);
        }
        double sum = 0;
        for (int j = 0; j < m; j++) {
            grad[j] = -prob[j] * cAll;
        }
        for (int k = 0; k < n; k++) {
            int j = positions[k];
            grad[j] = 1.0 - prob[j] * cOut[k];
        }
        for (int j = 0; j < m; j++) {
            sum += grad[j];
        }
        return Double.isFinite(sum);
    }

    /** §1.6(e) on F[T] = Q[T] / (prod_{k in T} p_k rest[T]) and Bt[T]; fills {@link #cOut}, returns C_all. */
    private double subsetDp(double unkept) {
        keptSum[0] = 0;
        for (int t = 1; t <= full; t++) {
            keptSum[t] = keptSum[t & (t - 1)] + kept[Integer.numberOfTrailingZeros(t)];
        }
        for (int t = 0; t < full; t++) {
            inv[t] = 1.0 / (keptSum[full ^ t] + unkept);
        }
        forward[0] = inv[0];
        for (int t = 1; t < full; t++) {
            double s = 0;
            for (int rest = t; rest != 0; rest &= rest - 1) {
                s += forward[t ^ Integer.lowestOneBit(rest)];
            }
            forward[t] = s * inv[t];
        }
        double scaledFull = 0;
        for (int k = 0; k < n; k++) {
            scaledFull += forward[full ^ (1 << k)];
        }
        backward[full] = 1.0;
        double cAll = 0;
        Arrays.fill(cOut, 0);
        for (int t = full - 1; t >= 0; t--) {
            double s = 0;
            for (int out = full ^ t; out != 0; out &= out - 1) {
                s += backward[t | Integer.lowestOneBit(out)];
            }
            backward[t] = s * inv[t];
            double w = forward[t] * backward[t];
            cAll += w;
            for (int out = full ^ t; out != 0; out &= out - 1) {
                cOut[Integer.numberOfTrailingZeros(out)] += w;
            }
        }
        for (int k = 0; k < n; k++) {
            cOut[k] /= scaledFull;
        }
        return cAll / scaledFull;
    }
}
