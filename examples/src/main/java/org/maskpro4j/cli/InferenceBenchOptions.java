package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.maskpro4j.examples.bench.InferenceBenchmark;
import org.maskpro4j.examples.bench.InferenceReport;
import org.maskpro4j.examples.bench.Timing;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmKernel;

import picocli.CommandLine.Option;

/** The options of {@code maskpro bench --inference}: N:M kernel and generation against ND4J dense. */
public final class InferenceBenchOptions {
    @Option(names = "--inference", description = "Benchmark the compressed N:M kernel and LLaMA generation against ND4J dense")
    boolean inference;

    @Option(names = "--shapes", split = ",", description = "With --inference: matrices OUTxIN (default 4096x4096, 4096x11008"
            + " and the linear shapes of stories15M, 42M and 110M)")
    List<String> shapes;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,4,16,64",
            description = "With --inference: batch sizes (default ${DEFAULT-VALUE})")
    int[] batchSizes;

    @Option(names = "--llamas", split = ",", defaultValue = "stories15M,stories42M,stories110M",
            description = "With --inference: random-weight LLaMA shapes to generate with, or none (default ${DEFAULT-VALUE})")
    List<String> llamas;

    @Option(names = "--tokens", defaultValue = "32", description = "With --inference: tokens per timed generation (default ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--plot", description = "With --inference: write the speed-up against batch size as this PNG; with"
            + " --scaling: step and forward time against model size")
    Path plot;

    @Option(names = "--threads", description = "With --inference: N:M kernel threads (default: all processors)")
    Integer threads;

    /** Runs the benchmark with the bench command's timing, patterns (comma-separated) and seed; writes the plot. */
    InferenceReport run(String patterns, int warmup, int repeats, double sampleSeconds, long seed) throws IOException {
        List<NmPattern> nm = new ArrayList<>();
        for (String p : patterns.split(",")) {
            nm.add(NmPattern.parse(p));
        }
        List<int[]> matrices = shapes == null ? InferenceBenchmark.defaultShapes() : shapes.stream().map(InferenceBenchOptions::shape).toList();
        List<String> models = llamas.size() == 1 && llamas.get(0).equals("none") ? List.of() : llamas;
        NmKernel kernel = NmKernel.best(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        System.err.println("N:M kernel: " + kernel.implementation() + " on " + kernel.threads() + " threads"
                + (NmKernel.vectorAvailable() ? "" : " (start java with --add-modules jdk.incubator.vector for the Vector API)"));
        InferenceReport report;
        try {
            report = new InferenceBenchmark(nm, matrices, batchSizes, models, tokens, new Timing(warmup, repeats, sampleSeconds),
                    kernel, seed).run(System.err::println);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        if (plot != null) {
            report.writePlot(plot);
        }
        return report;
    }

    private static int[] shape(String text) {
        String[] parts = text.trim().split("x");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new UserError("--shapes takes OUTxIN matrices like 4096x4096, got \"" + text + "\"");
    }
}
