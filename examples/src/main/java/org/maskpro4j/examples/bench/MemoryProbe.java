package org.maskpro4j.examples.bench;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.progress.PeakMemory;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs one {@link MemoryWorkload} on a subject in this JVM under a {@link PeakMemory#working(long)}: {@code steps} inference
 * forwards, or a MaskPro or MaskLLM learning run of {@code steps} steps from the magnitude prior, over the subject's
 * batches. Everything the workload creates (views, priors, learner state) is created inside the sampled window, and
 * the probe holds what a user of the API holds: the prior's BYTE masks for the whole run, then the result's.
 */
public final class MemoryProbe {
    private final long runtimeBytes;
    private final int steps;
    private final long seed;

    /**
     * @param runtimeBytes {@link PeakMemory#runtimeFootprint()} taken before the subject was loaded
     */
    public MemoryProbe(long runtimeBytes, int steps, long seed) {
        if (steps < 1) {
            throw new IllegalArgumentException("A memory probe needs at least one step, got " + steps);
        }
        this.runtimeBytes = runtimeBytes;
        this.steps = steps;
        this.seed = seed;
    }

    public <B> MemoryPeak run(BenchSubject<B> subject, MemoryWorkload workload, NmPattern pattern) {
        PeakMemory sampler = PeakMemory.working(runtimeBytes);
        try (sampler) {
            switch (workload) {
                case INFER -> infer(subject);
                case MASKPRO -> maskPro(subject, pattern);
                case MASKLLM -> maskLlm(subject, pattern);
            }
        }
        PeakMemory.Peak peak = sampler.peak();
        return new MemoryPeak(peak.growthBytes(), peak.residentBytes(), peak.heapBytes(), peak.offHeapBytes(), runtimeBytes);
    }

    private <B> void infer(BenchSubject<B> subject) {
        Iterator<B> it = subject.batches().iterator();
        for (int i = 0; i < steps; i++) {
            if (!it.hasNext()) {
                it = subject.batches().iterator();
            }
            subject.forward(it.next());
        }
    }

    private <B> void maskPro(BenchSubject<B> subject, NmPattern pattern) {
        MaskableModel<B> model = subject.maskable(pattern);
        try {
            Map<String, INDArray> prior = new MagnitudePrior().masks(model, List.of());
            MaskProConfig config = MaskProConfig.builder().pattern(pattern).steps(steps).seed(seed).logEvery(steps).build();
            new MaskProLearner(config, null).learn(model, subject.batches(), prior);
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    private <B> void maskLlm(BenchSubject<B> subject, NmPattern pattern) {
        DifferentiableModel<B> model = subject.differentiable(pattern);
        try {
            Map<String, INDArray> prior = new MagnitudePrior().masks(model, List.of());
            MaskLlmConfig config = MaskLlmConfig.builder().pattern(pattern).steps(steps).seed(seed).logEvery(steps).build();
            new MaskLlmLearner(config).learn(model, subject.batches(), prior);
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }
}
