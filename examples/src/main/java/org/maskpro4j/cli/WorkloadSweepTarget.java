package org.maskpro4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.arbiter.SweepTarget;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.WeightSelection;

/**
 * A sweep over a model the command line loaded: candidates learn on {@code --data} and are scored on the
 * held-out batches, by perplexity for language models and by loss for classifiers.
 */
final class WorkloadSweepTarget<B> implements SweepTarget<B> {
    private final Workload<B> workload;
    private final WeightSelection selection;
    private final DataOptions data;
    private final List<B> heldOut;
    private final Map<String, Object> dense;
    private final String metric;
    private final Map<Integer, List<B>> train = new HashMap<>();

    WorkloadSweepTarget(Workload<B> workload, WeightSelection selection, DataOptions data) throws IOException {
        this.workload = workload;
        this.selection = selection;
        this.data = data;
        this.heldOut = workload.evalBatches(data.data, data.valid, data.evalExamples, data.batch);
        this.dense = workload.evaluate(heldOut);
        this.metric = dense.containsKey("perplexity") ? "perplexity" : "loss";
    }

    /** The dense model's metrics on the held-out batches. */
    Map<String, Object> dense() {
        return dense;
    }

    @Override
    public MaskableModel<B> freshModel(NmPattern pattern) {
        return workload.maskable(pattern, selection);
    }

    @Override
    public List<B> train(int examples) {
        return train.computeIfAbsent(examples, n -> {
            try {
                return workload.trainBatches(data.data, n, data.batch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public double score(MaskableModel<B> model) {
        return ((Number) workload.evaluate(heldOut).get(metric)).doubleValue();
    }

    @Override
    public String scoreName() {
        return "held-out " + metric;
    }
}
