package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact log-probability of the unordered set a strict N:M mask keeps, when each group's N positions are drawn
 * sequentially without replacement from softmax(logits of the group), and its gradient with respect to the logits:
 * MaskPro's score function (maskpro-spec §1.6). Everything runs in double, whatever the input type, because set
 * probabilities far from the mode reach 1e-40 at MaskPro's initial logits.
 *
 * <p>N = 2 uses the closed form of §1.6(b); larger N the subset DP of §1.6(e) over bitmasks T of the kept positions,
 * with the product of the kept probabilities factored out of the forward and backward tables. That factor cancels
 * in the posterior weights of the gradient and enters log P(S) as a sum of log-softmax values, so no table entry
 * underflows even when P(S) itself would. Remaining masses are sums of remaining probabilities, never 1 - p_T, and
 * a kept position's step weight C_out (the sets that do not contain it) is summed directly, never C_all - C_in: both
 * reach 1e17 when one kept position holds all but 1e-17 of the mass, where the difference lost every digit.
 *
 * <p>The DP runs level by level (subsets of equal size), each step one matrix product of a {@code [groups, C(N,l)]}
 * table with a small 0/1 lattice matrix, so a chunk costs about 10·N ND4J ops, however many subsets there are. Groups are processed
 * in chunks so the tables (2^N doubles per group each) stay bounded; a chunk's temporaries live in a per-thread ND4J
 * workspace that is kept for the next call (measured: 31 MB at 2:4, 89 MB at 4:8, 117 MB at 8:16).
 */
public final class SubsetLogProb {
    /** Doubles per DP table (2^N vectors of one chunk): 16 MiB, so 8:16 uses chunks of 8,192 groups. */
    private static final long TABLE_DOUBLES = 1L << 21;
    private static final long MAX_CHUNK = 32_768;
    /**
     * Per-thread scratch arena for a chunk's temporaries, reused from chunk to chunk and call to call: fresh
     * off-heap buffers of a few MB cost more to allocate than the arithmetic done in them.
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE).build();
    private static final String SCRATCH_ID = "maskpro4j-subset-log-prob";

    private SubsetLogProb() {
    }

    /**
     * @param logits {@code [groups, M]} FLOAT or DOUBLE, all finite
     * @param mask   {@code [groups, M]} strict 0/1 mask (exactly N ones per group): the set S of each group
     * @return {@code [groups]} DOUBLE: log P(S) per group
     * @throws IllegalArgumentException on a wrong shape, a non-strict mask or a non-finite logit (naming the group)
     */
    public static INDArray logProb(INDArray logits, INDArray mask, NmPattern pattern) {
        return compute(logits, mask, pattern, false, chunkSize(pattern), true, true)[0];
    }

    /**
     * @return {@code [groups, M]} DOUBLE: d log P(S) / d logits; each row sums to 0
     * @see #logProb(INDArray, INDArray, NmPattern)
     */
    public static INDArray gradLogProb(INDArray logits, INDArray mask, NmPattern pattern) {
        return compute(logits, mask, pattern, true, chunkSize(pattern), true, true)[1];
    }

    /**
     * {@link #gradLogProb} for a mask that is strict by construction, such as one {@link GumbelTopN#sample} or
     * {@link TopN#mask} returned: skips the strictness check, which a policy would otherwise pay on its own draw every
     * step. A mask that is not strict gives a meaningless gradient here instead of an error.
     */
    public static INDArray gradLogProbOfStrictMasks(INDArray logits, INDArray mask, NmPattern pattern) {
        return compute(logits, mask, pattern, true, chunkSize(pattern), true, false)[1];
    }

    static long chunkSize(NmPattern pattern) {
        return Math.max(1, Math.min(MAX_CHUNK, TABLE_DOUBLES >> pattern.n()));
    }

    /**
     * Returns {log P [G], grad [G,M] or null}. Chunk size and the N = 2 shortcut are parameters so tests can cross
     * chunk borders and compare the closed form with the DP. Strictness is checked chunk by chunk, on the DOUBLE copy
     * each chunk makes anyway and with temporaries in the workspace: checking the whole mask up front cost more.
     */
    static INDArray[] compute(INDArray logits, INDArray mask, NmPattern pattern, boolean withGrad, long chunk,
            boolean pairClosedForm, boolean checkStrict) {
        TopN.requireGroups(logits, pattern);
        TopN.requireGroups(mask, pattern);
        if (logits.size(0) != mask.size(0)) {
            throw new IllegalArgumentException("logits have " + logits.size(0) + " groups but the mask has "
                    + mask.size(0) + ": pass the mask sampled from these logits");
        }
        if (!logits.dataType().isFPType()) {
            throw new IllegalArgumentException("logits must be FLOAT or DOUBLE, got " + logits.dataType());
        }
        long groups = logits.size(0);
        boolean closedForm = pairClosedForm && pattern.n() == 2;
        Lattice lattice = closedForm ? null : new Lattice(pattern.n());
        INDArray logP = Nd4j.create(DataType.DOUBLE, groups);
        INDArray grad = withGrad ? Nd4j.create(DataType.DOUBLE, groups, pattern.m()) : null;
        for (long start = 0; start < groups; start += chunk) {
            long end = Math.min(groups, start + chunk);
            INDArrayIndex rows = NDArrayIndex.interval(start, end);
            try (MemoryWorkspace scratch = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, SCRATCH_ID)) {
                Chunk c = new Chunk(logits.get(rows, NDArrayIndex.all()), mask.get(rows, NDArrayIndex.all()),
                        pattern, start, checkStrict);
                Scores s = closedForm ? c.closedFormPairs() : c.subsetDp(lattice, withGrad);
                logP.get(rows).assign(c.logProb(s));
                if (withGrad) {
                    grad.get(rows, NDArrayIndex.all()).assign(c.grad(s));
                }
            }
        }
        return new INDArray[] {logP, grad};
    }

    /**
     * Sufficient statistics of one chunk, all per group: Q~(full) = P(S) / prod_k p_{s_k} as {@code [rows, 1]}, the
     * summed step weights C_all = sum_{T != full} c_T as {@code [rows, 1]} and C_out[k] = sum_{T != full, k not in T}
     * c_T as {@code [rows, N]}, with c_T = rho(T) / rest[T]: sums of positive terms, so each is exact to rounding.
     */
    private record Scores(INDArray scaledProb, INDArray cAll, INDArray cOut) {
    }

    /**
     * The subsets T of the N kept positions grouped by size, with 0/1 matrices that turn every step of the DP into
     * one matrix product over a whole size level: {@code up[l]} maps size l-1 to size l (T\k to T), {@code notIn[l]}
     * sums the kept positions outside each T and {@code out[l]}, its transpose, sums c_T over the sets without each k.
     */
    private static final class Lattice {
        private final INDArray[] up;
        private final INDArray[] down;
        private final INDArray[] notIn;
        private final INDArray[] out;

        Lattice(int n) {
            int[][] levels = new int[n + 1][];
            int[] position = new int[1 << n];
            int[] filled = new int[n + 1];
            for (int l = 0; l <= n; l++) {
                levels[l] = new int[(int) Combinatorics.binomial(n, l)];
            }
            for (int t = 0; t < 1 << n; t++) {
                int l = Integer.bitCount(t);
                position[t] = filled[l];
                levels[l][filled[l]++] = t;
            }
            up = new INDArray[n + 1];
            down = new INDArray[n + 1];
            notIn = new INDArray[n];
            out = new INDArray[n];
            for (int l = 0; l <= n; l++) {
                int[] level = levels[l];
                if (l > 0) {
                    double[][] u = new double[levels[l - 1].length][level.length];
                    for (int i = 0; i < level.length; i++) {
                        for (int k = 0; k < n; k++) {
                            if ((level[i] >> k & 1) != 0) {
                                u[position[level[i] & ~(1 << k)]][i] = 1;
                            }
                        }
                    }
                    up[l] = Nd4j.createFromArray(u).dup('f');
                    down[l] = up[l].transpose().dup('f');
                }
                if (l < n) {
                    double[][] outside = new double[n][level.length];
                    for (int i = 0; i < level.length; i++) {
                        for (int k = 0; k < n; k++) {
                            outside[k][i] = (level[i] >> k & 1) != 0 ? 0 : 1;
                        }
                    }
                    notIn[l] = Nd4j.createFromArray(outside).dup('f');
                    out[l] = notIn[l].transpose().dup('f');
                }
            }
        }
    }

    /** One chunk of groups in double, validated, with softmax and the kept positions' probabilities extracted. */
    private static final class Chunk {
        private final NmPattern pattern;
        private final long firstGroup;
        private final long rows;
        private final INDArray mask;
        private final INDArray prob;
        private final INDArray sumLogKept;
        private final INDArray[] oneHots;
        private final INDArray[] kept;
        private final INDArray unkeptMass;

        Chunk(INDArray logits, INDArray mask, NmPattern pattern, long firstGroup, boolean checkStrict) {
            this.pattern = pattern;
            this.firstGroup = firstGroup;
            this.rows = logits.size(0);
            this.mask = mask.castTo(DataType.DOUBLE);
            if (checkStrict) {
                requireStrict(this.mask, pattern, firstGroup);
            }
            INDArray x = logits.castTo(DataType.DOUBLE);
            requireFinite(x, firstGroup);
            INDArray shifted = x.subColumnVector(x.max(1).reshape(rows, 1));
            INDArray expShifted = Transforms.exp(shifted, true);
            INDArray partition = expShifted.sum(1).reshape(rows, 1);
            this.prob = expShifted.diviColumnVector(partition);
            // sum_k log p_{s_k} from log-softmax, so it stays finite where the probabilities themselves underflow
            this.sumLogKept = shifted.mul(this.mask).sum(1).reshape(rows, 1)
                    .subi(Transforms.log(partition, true).muli(pattern.n()));
            this.oneHots = KeptPositions.oneHots(this.mask, pattern.n());
            this.kept = new INDArray[pattern.n()];
            for (int k = 0; k < pattern.n(); k++) {
                kept[k] = prob.mul(oneHots[k]).sum(1).reshape(rows, 1);
            }
            this.unkeptMass = prob.mul(this.mask.rsub(1.0)).sum(1).reshape(rows, 1);
        }

        /**
         * N = 2 (§1.6b): with ia = 1/(1-p_a), ib = 1/(1-p_b): Q~ = ia + ib, c_{a} = ia^2/Q~, c_empty = 1, so
         * C_out[a] = 1 + c_{b}: the analytic form 1 - p_a(1 + R/(1-p_b)^2) of the kept gradient.
         */
        Scores closedFormPairs() {
            INDArray ia = unkeptMass.add(kept[1]).rdivi(1.0);
            INDArray ib = unkeptMass.add(kept[0]).rdivi(1.0);
            INDArray scaled = ia.add(ib);
            INDArray cA = ia.mul(ia).divi(scaled);
            INDArray cB = ib.mul(ib).divi(scaled);
            return new Scores(scaled, cA.add(cB).addi(1.0), Nd4j.hstack(cB.add(1.0), cA.add(1.0)));
        }

        /**
         * Subset DP (§1.6e) on scaled tables F[T] = Q[T] / (prod_{k in T} p_{s_k} rest[T]) and
         * Bt[T] = B[T] / prod_{k not in T} p_{s_k}, for which Q~[T] = sum_{k in T} F[T\k],
         * Bt[T] = sum_{k not in T} Bt[T+k] / rest[T] and c_T = F[T] Bt[T] / Q~(full). Each size level is one
         * {@code [rows, C(N,l)]} matrix, so a DP step is one matrix product with a 0/1 lattice matrix.
         */
        Scores subsetDp(Lattice lattice, boolean withGrad) {
            int n = pattern.n();
            INDArray keptMatrix = Nd4j.hstack(kept).dup('f');
            // rest[T] = q + sum_{k not in T} p_{s_k}: a sum of remaining masses, free of cancellation
            INDArray[] inv = new INDArray[n];
            for (int l = 0; l < n; l++) {
                inv[l] = keptMatrix.mmul(lattice.notIn[l]).addiColumnVector(unkeptMass).rdivi(1.0);
            }
            INDArray[] forward = new INDArray[n];
            forward[0] = inv[0];
            for (int l = 1; l < n; l++) {
                forward[l] = forward[l - 1].mmul(lattice.up[l]).muli(inv[l]);
            }
            INDArray scaledFull = forward[n - 1].mmul(lattice.up[n]);
            if (!withGrad) {
                return new Scores(scaledFull, null, null);
            }
            INDArray cAll = Nd4j.zeros(DataType.DOUBLE, rows, 1);
            INDArray cOut = Nd4j.zeros(DataType.DOUBLE, rows, n);
            INDArray backward = inv[n - 1];
            for (int l = n - 1; l >= 0; l--) {
                if (l < n - 1) {
                    backward = backward.mmul(lattice.down[l + 1]).muli(inv[l]);
                }
                INDArray weight = forward[l].mul(backward);
                cAll.addi(weight.sum(1).reshape(rows, 1));
                cOut.addi(weight.mmul(lattice.out[l]));
            }
            return new Scores(scaledFull, cAll.diviColumnVector(scaledFull), cOut.diviColumnVector(scaledFull));
        }

        INDArray logProb(Scores s) {
            INDArray logP = Transforms.log(s.scaledProb(), true).addi(sumLogKept);
            requireFiniteResult(logP);
            return logP.reshape(rows);
        }

        /** grad = mask - p * ((1 - mask) * C_all + sum_k oneHot_k * C_out[k]) (§1.6e). */
        INDArray grad(Scores s) {
            INDArray perEntry = mask.rsub(1.0).muliColumnVector(s.cAll());
            for (int k = 0; k < pattern.n(); k++) {
                perEntry.addi(oneHots[k].mulColumnVector(s.cOut().getColumn(k).reshape(rows, 1)));
            }
            INDArray grad = mask.sub(perEntry.muli(prob));
            requireFiniteResult(grad.sum(1).reshape(rows, 1));
            return grad;
        }

        private void requireFiniteResult(INDArray perGroup) {
            long bad = firstNonFiniteRow(perGroup);
            if (bad >= 0) {
                throw new IllegalArgumentException("Subset probability of pattern " + pattern + " for group "
                        + (firstGroup + bad) + " is not representable in double: its logits spread so far that the "
                        + "mass left after drawing part of the kept set underflows; keep the logit range within a "
                        + "group well below 700 (clamp or rescale the logits)");
            }
        }
    }

    private static void requireStrict(INDArray mask, NmPattern pattern, long firstGroup) {
        Strictness.Report report = Strictness.check(mask, pattern);
        if (!report.strict()) {
            throw new IllegalArgumentException("Mask is not strictly " + pattern + ": group "
                    + (firstGroup + report.firstViolation()) + " keeps " + report.keptInFirstViolation()
                    + " (or holds a value other than 0/1); every group must keep exactly " + pattern.n()
                    + " of " + pattern.m() + " positions");
        }
    }

    private static void requireFinite(INDArray logits, long firstGroup) {
        long bad = firstNonFiniteRow(logits);
        if (bad >= 0) {
            throw new IllegalArgumentException("Logits must be finite: group " + (firstGroup + bad)
                    + " holds NaN or infinity; check the policy update that produced these logits");
        }
    }

    /** Index of the first row holding NaN or infinity, or -1. */
    private static long firstNonFiniteRow(INDArray matrix) {
        INDArray bad = matrix.isNaN().castTo(DataType.DOUBLE).addi(matrix.isInfinite().castTo(DataType.DOUBLE)).sum(1);
        return bad.sumNumber().doubleValue() > 0 ? Nd4j.argMax(bad).getLong(0) : -1;
    }
}
