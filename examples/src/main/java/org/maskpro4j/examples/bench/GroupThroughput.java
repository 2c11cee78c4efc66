package org.maskpro4j.examples.bench;

import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code groups_per_s} and {@code group_math_over_copy}: one policy step's per-group math as the CPU backend runs it,
 * {@link FusedGroupKernel#ascendAndSample} (exact gradient of the last mask, update, shift and clamp, next Gumbel-top-N
 * draw) on one thread, on FLOAT logits in MaskPro's regime (C·m₀ with C = 10, plus small noise so no two logits tie).
 *
 * <p>What one timed step does, exactly: reads and writes the {@code [groups, M]} FLOAT logits in place (4 bytes per
 * position each way), reads the last mask and writes the drawn one over it as a BYTE 0/1 {@code [groups, M]} matrix
 * (1 byte per position each way; the policy itself holds masks as bits): 40 MB per step at 1 M groups of 2:4. Until
 * session 10 the mask was a FLOAT matrix too (4 bytes per position each way, 64 MB per step), so figures before then
 * are not comparable ({@code docs/benchmarks.md}, session 10). The copy is one ND4J {@code assign} of the same FLOAT
 * logits into a preallocated matrix (reads and writes 4 bytes per position), timed side by side. Both figures are in
 * the calling thread's CPU time.
 *
 * <p>Before the timed samples both run until the JIT has settled ({@link Timing#settle}): inside {@code maskpro bench},
 * after the step benchmark, on a loaded machine, the bench's three warm-up runs once left the fused step half
 * compiled, and the 2:4 key read 11.2 (fused step 12.5 ms, one sample 79 ms) where the same jar read 8.7 (6.8 ms) in
 * the next run (session 11, {@code docs/benchmarks.md}).
 */
public final class GroupThroughput {
    private static final double LOGIT_MAGNITUDE = 10;
    private static final double NOISE_SCALE = 0.1;
    /** η·(r − δ) of a typical step: η = 50 times an advantage of 1e-3. */
    private static final double UPDATE_SCALE = 0.05;

    /**
     * @param groupsPerSecond groups ÷ CPU seconds of the fused step
     * @param overCopy        the copy (baseline) against the fused step (candidate); its CPU ratio is
     *                        {@code group_math_over_copy}
     * @param vectorized      whether the groups ran in Vector API lanes
     */
    public record Result(long groups, Spread groupsPerSecond, Timing.Comparison overCopy, boolean vectorized) {
        public Spread groupMathOverCopy() {
            return overCopy.cpuRatio();
        }
    }

    private GroupThroughput() {
    }

    /**
     * Only this part of {@code maskpro bench}, on 1,048,576 groups at 2:4, 4:8 and 8:16 with the bench's default
     * timing: {@code java --add-modules jdk.incubator.vector -cp maskpro.jar
     * org.maskpro4j.examples.bench.GroupThroughput [repeats]}; run it with OMP_NUM_THREADS=1.
     */
    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        for (String text : new String[] {"2:4", "4:8", "8:16"}) {
            Result r = run(NmPattern.parse(text), 1L << 20, 0, new Timing(3, repeats, 0.5));
            System.out.printf("%s groups_per_s %.3g M, group_math_over_copy %.3g (%.3g–%.3g), copy %.3f ms, fused %.3f ms"
                    + " CPU, vectorized %b%n", text, r.groupsPerSecond().median() / 1e6, r.groupMathOverCopy().median(),
                    r.groupMathOverCopy().min(), r.groupMathOverCopy().max(),
                    r.overCopy().baselineCpuSeconds().median() * 1e3, r.overCopy().candidateCpuSeconds().median() * 1e3,
                    r.vectorized());
        }
    }

    public static Result run(NmPattern pattern, long groups, long seed, Timing timing) {
        if (groups < 1) {
            throw new IllegalArgumentException("Group throughput needs at least one group, got " + groups);
        }
        INDArray noise = GumbelTopN.gumbel(GumbelTopN.derive(seed, pattern.n(), pattern.m()), groups, pattern.m())
                .muli(NOISE_SCALE);
        INDArray logits = TopN.mask(noise, pattern).castTo(DataType.DOUBLE).muli(LOGIT_MAGNITUDE).addi(noise)
                .castTo(DataType.FLOAT);
        INDArray mask = Nd4j.create(DataType.BYTE, groups, pattern.m());
        INDArray copy = Nd4j.create(DataType.FLOAT, groups, pattern.m());
        FusedGroupKernel kernel = new FusedGroupKernel(pattern, 1);
        kernel.sample(logits, seed, mask);
        long[] draw = {0};
        Runnable plainCopy = () -> copy.assign(logits);
        Runnable fusedStep = () -> kernel.ascendAndSample(logits, mask, UPDATE_SCALE, MaskPolicy.LOGIT_RANGE,
                GumbelTopN.derive(seed, draw[0]++), mask);
        timing.settle(plainCopy, fusedStep);
        Timing.Comparison c = timing.compare(plainCopy, fusedStep);
        return new Result(groups, c.candidateCpuSeconds().reciprocal(groups), c, FusedGroupKernel.vectorized());
    }
}
