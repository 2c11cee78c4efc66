package org.maskpro4j.examples.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * How the benchmarks take time: warm-up runs first, then {@code repeats} samples, each of as many runs as fill about
 * {@code sampleSeconds}. A ratio is measured side by side: within a sample the baseline and the candidate run in
 * turn, one run each (alternating which goes first), and the ratio is taken per sample, so load that comes and goes
 * on a shared machine hits both sides of each ratio alike.
 *
 * <p>Besides wall time, a comparison keeps the ratio of the calling thread's CPU time. With libnd4j single-threaded
 * ({@code OMP_NUM_THREADS=1}) nearly all the work runs on that thread, so the CPU-time ratio is what the two sides
 * would cost on an idle core, and it hardly moves when other tenants load the machine. With more OpenMP threads it
 * misses their work, and only the wall-time ratio holds.
 */
public final class Timing {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    /** Consecutive samples' time without a finished compilation after which {@link #settle} deems the JIT done. */
    private static final int QUIET_SAMPLES = 2;
    /** The longest {@link #settle} waits for the JIT, in samples' time. */
    private static final int MAX_SETTLE_SAMPLES = 20;
    /** Cap on runs per sample, for operations far faster than the sample time. */
    private static final int MAX_RUNS_PER_SAMPLE = 100_000;

    private final int warmup;
    private final int repeats;
    private final double sampleSeconds;

    /**
     * A wall-time ratio with the times it divides (seconds per run), the same in the calling thread's CPU time, and
     * the runs each sample held.
     */
    public record Comparison(Spread ratio, Spread baselineSeconds, Spread candidateSeconds, Spread cpuRatio,
            Spread baselineCpuSeconds, Spread candidateCpuSeconds, int runsPerSample) {
    }

    public Timing(int warmup, int repeats, double sampleSeconds) {
        if (warmup < 1) {
            throw new IllegalArgumentException("At least one warm-up run is needed (JIT, workspaces, caches), got " + warmup);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("At least one timed sample is needed, got " + repeats);
        }
        if (!(sampleSeconds > 0) || Double.isInfinite(sampleSeconds)) {
            throw new IllegalArgumentException("Sample time must be a positive number of seconds, got " + sampleSeconds);
        }
        this.warmup = warmup;
        this.repeats = repeats;
        this.sampleSeconds = sampleSeconds;
    }

    public int warmup() {
        return warmup;
    }

    public int repeats() {
        return repeats;
    }

    public double sampleSeconds() {
        return sampleSeconds;
    }

    /**
     * Runs the tasks in turn, a sample's time at a time, until the JIT has finished no compilation for
     * {@value #QUIET_SAMPLES} samples' time in a row (its total compilation time stood still), or for at most
     * {@value #MAX_SETTLE_SAMPLES} samples' time. For code that a few warm-up runs leave in the interpreter or in C1's
     * code while the compiler threads are still busy with what ran before (in {@code maskpro bench}, the step
     * benchmark's code, on a loaded machine): then the first timed samples measure the compiler's backlog, not the
     * code. Where the JVM does not report compilation time, runs the warm-up count instead.
     */
    public void settle(Runnable... tasks) {
        if (JIT == null || !JIT.isCompilationTimeMonitoringSupported()) {
            for (int i = 0; i < warmup; i++) {
                for (Runnable t : tasks) {
                    t.run();
                }
            }
            return;
        }
        long sample = (long) (sampleSeconds * 1e9);
        int samples = 0;
        for (int quiet = 0; quiet < QUIET_SAMPLES && samples < MAX_SETTLE_SAMPLES; samples++) {
            long compiled = JIT.getTotalCompilationTime();
            long end = System.nanoTime() + sample;
            do {
                for (Runnable t : tasks) {
                    t.run();
                }
            } while (System.nanoTime() < end);
            quiet = JIT.getTotalCompilationTime() == compiled ? quiet + 1 : 0;
        }
    }

    /** candidate time ÷ baseline time, per sample. */
    public Comparison compare(Runnable baseline, Runnable candidate) {
        for (int i = 0; i < warmup; i++) {
            baseline.run();
            candidate.run();
        }
        int runs = Math.min(runsPerSample(baseline), runsPerSample(candidate));
        double[] base = new double[repeats];
        double[] cand = new double[repeats];
        double[] baseCpu = new double[repeats];
        double[] candCpu = new double[repeats];
        double[] ratio = new double[repeats];
        double[] cpuRatio = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            for (int r = 0; r < runs; r++) {
                boolean baselineFirst = (i + r) % 2 == 0;
                double[] first = perRun(baselineFirst ? baseline : candidate, 1);
                double[] second = perRun(baselineFirst ? candidate : baseline, 1);
                double[] b = baselineFirst ? first : second;
                double[] c = baselineFirst ? second : first;
                base[i] += b[0] / runs;
                baseCpu[i] += b[1] / runs;
                cand[i] += c[0] / runs;
                candCpu[i] += c[1] / runs;
            }
            ratio[i] = cand[i] / base[i];
            cpuRatio[i] = candCpu[i] / Math.max(baseCpu[i], 1e-9);
        }
        return new Comparison(Spread.of(ratio), Spread.of(base), Spread.of(cand), Spread.of(cpuRatio), Spread.of(baseCpu),
                Spread.of(candCpu), runs);
    }

    /** Seconds per run of {@code task}. */
    public Spread measure(Runnable task) {
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        int runs = runsPerSample(task);
        double[] seconds = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            seconds[i] = perRun(task, runs)[0];
        }
        return Spread.of(seconds);
    }

    private int runsPerSample(Runnable task) {
        double once = Math.max(perRun(task, 1)[0], 1e-9);
        return (int) Math.max(1, Math.min(MAX_RUNS_PER_SAMPLE, Math.ceil(sampleSeconds / once)));
    }

    /** {wall seconds, calling-thread CPU seconds} per run. */
    private static double[] perRun(Runnable task, int runs) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            task.run();
        }
        long wall = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        return new double[] {wall / 1e9 / runs, cpu / 1e9 / runs};
    }
}
