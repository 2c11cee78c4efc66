package org.maskpro4j.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

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
 * <p>{@code maskpro bench} runs each pattern in a child JVM of its own ({@link #forked}), as JMH forks: in the bench's
 * JVM, after the step benchmark had run the same kernel's row entry points on the MLP, the 2:4 fused step read 12.5,
 * 6.8, 12.7 and 9.3 ms in four runs, against 7.3 to 8 ms in fresh JVMs on the same loaded machine (session 11,
 * {@code docs/benchmarks.md}): how C2 compiles the shared methods depends on what ran before. Before the timed
 * samples both run until the JIT has settled ({@link Timing#settle}).
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
        if (args.length > 0 && args[0].equals(CHILD)) {
            Result r = run(NmPattern.parse(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]),
                    new Timing(Integer.parseInt(args[4]), Integer.parseInt(args[5]), Double.parseDouble(args[6])));
            try {
                System.out.println(new ObjectMapper().writeValueAsString(toJson(r)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
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

    /** The first argument of {@link #main} in the child JVM of {@link #forked}. */
    private static final String CHILD = "--child";

    /**
     * {@link #run} in a fresh child JVM on this JVM's class path, with its module and heap options, so the kernel is
     * compiled for this benchmark alone. The child inherits the environment ({@code OMP_NUM_THREADS}) and writes its
     * log to this JVM's stderr.
     */
    public static Result forked(NmPattern pattern, long groups, long seed, Timing timing) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("--add-modules") || option.startsWith("-Xmx")) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GroupThroughput.class.getName(), CHILD,
                pattern.toString(), Long.toString(groups), Long.toString(seed), Integer.toString(timing.warmup()),
                Integer.toString(timing.repeats()), Double.toString(timing.sampleSeconds())));
        try {
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = child.waitFor();
            int json = out.lastIndexOf("\n{");
            if (exit != 0 || !out.contains("{")) {
                throw new IllegalStateException("Group throughput at " + pattern + " in a child JVM exited with code "
                        + exit + ": " + out);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new ObjectMapper().readValue(out.substring(json + 1), Map.class);
            return fromJson(m);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run group throughput at " + pattern + " in a child JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for group throughput at " + pattern, e);
        }
    }

    private static final String[] SPREADS = {"ratio", "baseline_s", "candidate_s", "cpu_ratio", "baseline_cpu_s",
            "candidate_cpu_s"};

    private static Map<String, Object> toJson(Result r) {
        Timing.Comparison c = r.overCopy();
        Spread[] spreads = {c.ratio(), c.baselineSeconds(), c.candidateSeconds(), c.cpuRatio(), c.baselineCpuSeconds(),
                c.candidateCpuSeconds()};
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("groups", r.groups());
        m.put("vectorized", r.vectorized());
        m.put("runs_per_sample", c.runsPerSample());
        for (int i = 0; i < SPREADS.length; i++) {
            Spread s = spreads[i];
            m.put(SPREADS[i], List.of(s.median(), s.min(), s.max(), s.q1(), s.q3(), s.samples()));
        }
        return m;
    }

    private static Result fromJson(Map<String, Object> m) {
        Spread[] spreads = new Spread[SPREADS.length];
        for (int i = 0; i < SPREADS.length; i++) {
            List<?> v = (List<?>) m.get(SPREADS[i]);
            spreads[i] = new Spread(number(v, 0), number(v, 1), number(v, 2), number(v, 3), number(v, 4),
                    (int) number(v, 5));
        }
        Timing.Comparison c = new Timing.Comparison(spreads[0], spreads[1], spreads[2], spreads[3], spreads[4],
                spreads[5], ((Number) m.get("runs_per_sample")).intValue());
        long groups = ((Number) m.get("groups")).longValue();
        return new Result(groups, c.candidateCpuSeconds().reciprocal(groups), c, (Boolean) m.get("vectorized"));
    }

    private static double number(List<?> values, int i) {
        return ((Number) values.get(i)).doubleValue();
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
