package org.maskpro4j.nm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throughput of one MaskPro policy step's per-group math: {@link GumbelTopN#sample} followed by
 * {@link SubsetLogProb#gradLogProb}, on FLOAT logits in MaskPro's regime (10·m0 plus noise). Median of 5 timed
 * runs after 1 warm-up. Not a unit test; run with {@code java -cp <test classpath> ...GroupThroughputBenchmark
 * [groups] [pattern...]} (defaults: 1,048,576 groups; 2:4 4:8 8:16).
 *
 * <p>Besides wall time it logs the main thread's CPU time, which is what the step costs on an idle core when ND4J
 * runs single-threaded ({@code OMP_NUM_THREADS=1}); on a shared machine wall time mostly measures the other tenants.
 */
public final class GroupThroughputBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(GroupThroughputBenchmark.class);
    private static final int RUNS = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private GroupThroughputBenchmark() {
    }

    public static void main(String[] args) {
        long groups = args.length > 0 ? Long.parseLong(args[0]) : 1L << 20;
        String[] patterns = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"2:4", "4:8", "8:16"};
        LOG.info("OMP_NUM_THREADS={}, {} cores", System.getenv("OMP_NUM_THREADS"),
                Runtime.getRuntime().availableProcessors());
        for (String text : patterns) {
            NmPattern p = NmPattern.parse(text);
            INDArray noise = GumbelTopN.gumbel(GumbelTopN.derive(1, p.n(), p.m()), groups, p.m()).muli(0.1);
            INDArray logits = TopN.mask(noise, p).castTo(DataType.DOUBLE).muli(10.0).addi(noise).castTo(DataType.FLOAT);
            double[][] wall = new double[3][RUNS];
            double[][] cpu = new double[3][RUNS];
            for (int run = -1; run < RUNS; run++) {
                long w0 = System.nanoTime();
                long c0 = THREADS.getCurrentThreadCpuTime();
                INDArray mask = GumbelTopN.sample(logits, p, GumbelTopN.derive(7, run + 1));
                long w1 = System.nanoTime();
                long c1 = THREADS.getCurrentThreadCpuTime();
                INDArray grad = SubsetLogProb.gradLogProb(logits, mask, p);
                long w2 = System.nanoTime();
                long c2 = THREADS.getCurrentThreadCpuTime();
                if (run >= 0) {
                    double[] w = {(w1 - w0) / 1e9, (w2 - w1) / 1e9, (w2 - w0) / 1e9};
                    double[] c = {(c1 - c0) / 1e9, (c2 - c1) / 1e9, (c2 - c0) / 1e9};
                    for (int i = 0; i < 3; i++) {
                        wall[i][run] = w[i];
                        cpu[i][run] = c[i];
                    }
                }
                LOG.info(String.format("%s run %s: sample %.3f s (cpu %.3f), gradLogProb %.3f s (cpu %.3f), |grad| max %.3g",
                        p, run < 0 ? "warm-up" : String.valueOf(run), (w1 - w0) / 1e9, (c1 - c0) / 1e9,
                        (w2 - w1) / 1e9, (c2 - c1) / 1e9, grad.amaxNumber().doubleValue()));
            }
            LOG.info(String.format("%s on %,d groups, medians: sample %.3f s, gradLogProb %.3f s, sample+grad %.3f s "
                    + "-> %,.0f groups/s wall; main-thread CPU: sample %.3f s, grad %.3f s, total %.3f s -> %,.0f groups/s",
                    p, groups, median(wall[0]), median(wall[1]), median(wall[2]), groups / median(wall[2]),
                    median(cpu[0]), median(cpu[1]), median(cpu[2]), groups / median(cpu[2])));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
