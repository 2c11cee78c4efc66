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
 * held-out batches by loss, perplexity (language models) or error = 1 − accuracy (classifiers); all minimised.
 */
final class WorkloadSweepTarget<B> implements SweepTarget<B> {
    private final Workload<B> workload;
    private final WeightSelection selection;
    private final DataOptions data;
    private final List<B> heldOut;
    private final Map<String, Object> dense;
    private final String metric;
    private final Map<Integer, List<B>> train = new HashMap<>();

    /**
     * @param score "loss", "perplexity", "error" (or "accuracy", scored as its error), or null for perplexity where
     *              the model has one, else loss
     */
    WorkloadSweepTarget(Workload<B> workload, WeightSelection selection, DataOptions data, String score) throws IOException {
        this.workload = workload;
        this.selection = selection;
        this.data = data;
        this.heldOut = workload.evalBatches(data.data, data.valid, data.evalExamples, data.batch);
        this.dense = workload.evaluate(heldOut);
        this.metric = metric(score, dense);
    }

    private static String metric(String score, Map<String, Object> available) {
        if (score == null) {
            return available.containsKey("perplexity") ? "perplexity" : "loss";
        }
        String wanted = score.equals("error") ? "accuracy" : score;
        if (!List.of("loss", "perplexity", "accuracy").contains(wanted) || !available.containsKey(wanted)) {
            throw new UserError("--score " + score + " is not measured for this model; it measures "
                    + available.keySet().stream().filter(k -> !k.equals("examples") && !k.equals("tokens"))
                            .map(k -> k.equals("accuracy") ? "error" : k).toList());
        }
        return wanted;
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
        double value = ((Number) workload.evaluate(heldOut).get(metric)).doubleValue();
        // Arbiter minimises
        return metric.equals("accuracy") ? 1 - value : value;
    }

    @Override
    public String scoreName() {
        return metric.equals("accuracy") ? "held-out error (1 - accuracy)" : "held-out " + metric;
    }
}
