package org.maskpro4j.examples.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.SubsetLogProb;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-group math of one MaskPro step on FLOAT logits in MaskPro's regime (C·m₀ with C = 10, plus small noise):
 * Gumbel-top-N sampling (what {@code MaskPolicy.sample} calls) and the exact gradient of log P(mask), with and without
 * the strictness check that the policy skips for its own draws; and the CPU fast path the policy runs instead,
 * {@link FusedGroupKernel#ascendAndSample} on one thread, next to one plain copy of the same logits. The fused step
 * runs as {@code GroupThroughput} times it: FLOAT logits in place, the last mask and the drawn one a BYTE 0/1 matrix.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GroupMathBenchmark {
    @Param({"2:4", "4:8", "8:16"})
    public String pattern;

    @Param({"65536"})
    public long groups;

    private NmPattern nm;
    private INDArray logits;
    private INDArray mask;
    private long draw = 1;
    private FusedGroupKernel fused;
    private INDArray fusedLogits;
    private INDArray fusedMask;
    private INDArray copy;

    @Setup
    public void setUp() {
        nm = NmPattern.parse(pattern);
        INDArray noise = GumbelTopN.gumbel(GumbelTopN.derive(1, nm.n(), nm.m()), groups, nm.m()).muli(0.1);
        INDArray prior = TopN.mask(noise, nm);
        logits = prior.castTo(DataType.DOUBLE).muli(10).addi(noise).castTo(DataType.FLOAT);
        mask = GumbelTopN.sample(logits, nm, GumbelTopN.derive(2));
        fused = new FusedGroupKernel(nm, 1);
        fusedLogits = logits.dup();
        fusedMask = mask.castTo(DataType.BYTE).dup();
        copy = logits.dup();
    }

    /** Sample + exact gradient + update + shift/clamp + next draw, in one pass (one thread). */
    @Benchmark
    public INDArray fusedAscendAndSample() {
        fused.ascendAndSample(fusedLogits, fusedMask, 0.05, MaskPolicy.LOGIT_RANGE, GumbelTopN.derive(4, draw++),
                fusedMask);
        return fusedMask;
    }

    /** The baseline of group_math_over_copy: one plain copy of the logits. */
    @Benchmark
    public INDArray plainCopy() {
        return copy.assign(logits);
    }

    @Benchmark
    public INDArray gumbelTopNSample() {
        return GumbelTopN.sample(logits, nm, GumbelTopN.derive(3, draw++));
    }

    @Benchmark
    public INDArray gradLogProb() {
        return SubsetLogProb.gradLogProb(logits, mask, nm);
    }

    @Benchmark
    public INDArray gradLogProbOfStrictMasks() {
        return SubsetLogProb.gradLogProbOfStrictMasks(logits, mask, nm);
    }
}
