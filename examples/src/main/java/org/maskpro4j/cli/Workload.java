package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.DistillableModel;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.WeightSelection;

/**
 * A model the command line loaded, with what it needs to run on it: its maskable view, its data as batches,
 * its quality metric and a way to save it in its own format. One implementation per model family (DL4J
 * classifiers, llama2.c language models), so every subcommand is written once.
 *
 * @param <B> the model's batch type
 */
public interface Workload<B> {

    /** "dl4j", "keras" or "llama2c". */
    String format();

    MaskableModel<B> maskable(NmPattern pattern, WeightSelection selection);

    /** Batches for learning / calibration from {@code data}, at most {@code maxExamples} examples. */
    List<B> trainBatches(Path data, int maxExamples, int batchSize) throws IOException;

    /** Batches for evaluation: {@code valid} when given, else the held-out part that goes with {@code data}. */
    List<B> evalBatches(Path data, Path valid, int maxExamples, int batchSize) throws IOException;

    /** {"loss", "accuracy"} for classifiers, {"loss", "perplexity", "tokens"} for language models. */
    Map<String, Object> evaluate(List<B> batches);

    /** Writes the model (with whatever weights it computes with now) in its own format. */
    void save(Path out) throws IOException;

    /**
     * A separate dense copy of the model as loaded, the teacher of distillation ({@code --finetune-distill}); the
     * workloads that cannot distil refuse it in one line.
     */
    default DistillableModel<B> teacher(NmPattern pattern, WeightSelection selection) {
        throw new UserError("--finetune-distill is supported for llama2.c models only, not for " + format()
                + " models: drop --finetune-distill");
    }
}
