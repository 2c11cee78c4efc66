package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.FineTuneStage;
import org.maskpro4j.finetune.LrSchedule;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.reconstruct.ReconstructStage;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.reconstruct.WeightReconstructor;
import org.maskpro4j.weights.DistillableModel;
import org.maskpro4j.weights.WeightSelection;

import picocli.CommandLine.Option;

/** The stages after a mask is found: weight reconstruction under it, then masked fine-tuning. */
public final class RecoveryOptions {
    @Option(names = "--update-weights", description = "Re-fit the kept weights of every layer by least squares on the"
            + " calibration data under the final mask (block by block), before any fine-tuning")
    boolean updateWeights;

    @Option(names = "--finetune", defaultValue = "0", paramLabel = "STEPS", description = "Masked fine-tuning steps after"
            + " the mask (and reconstruction): the kept weights train by backprop, pruned ones stay 0 (default ${DEFAULT-VALUE})")
    long finetuneSteps;

    @Option(names = "--finetune-lr", defaultValue = "1e-3", description = "Adam learning rate of fine-tuning (default ${DEFAULT-VALUE})")
    double finetuneLr;

    @Option(names = "--finetune-schedule", defaultValue = "constant", description = "Learning-rate schedule of fine-tuning"
            + " after warmup: constant or cosine (to 0 at the last step) (default ${DEFAULT-VALUE})")
    String finetuneSchedule;

    @Option(names = "--finetune-warmup", defaultValue = "0", paramLabel = "STEPS", description = "Linear learning-rate"
            + " warmup steps at the start of fine-tuning (default ${DEFAULT-VALUE})")
    long finetuneWarmup;

    @Option(names = "--finetune-distill", defaultValue = "0", paramLabel = "LAMBDA", description = "Distil from the dense"
            + " model: the loss is (1-LAMBDA)*CE + LAMBDA*KL(dense || pruned), LAMBDA in [0, 1]; llama2.c models"
            + " (default ${DEFAULT-VALUE}: cross-entropy only)")
    double finetuneDistill;

    @Option(names = "--finetune-examples", defaultValue = "1000000", description = "Examples (paragraphs) of --data that"
            + " fine-tuning cycles over (default: all)")
    int finetuneExamples;

    @Option(names = "--finetune-batch", description = "Fine-tuning minibatch, in examples or paragraphs (default: --batch)")
    Integer finetuneBatch;

    @Option(names = "--finetune-eval-every", defaultValue = "0", description = "Evaluate the held-out data every this many"
            + " fine-tuning steps, for a curve (default: only at the end)")
    long finetuneEvalEvery;

    /**
     * Adds the stages asked for after mask learning: reconstruction on the calibration batches, then fine-tuning
     * (with a dense teacher of the same {@code pattern} and {@code selection} when distilling).
     */
    void addStages(MaskPipeline.Builder pipeline, Workload<?> workload, Path checkpoint, DataOptions data,
            NmPattern pattern, WeightSelection selection) throws IOException {
        if (updateWeights) {
            pipeline.then(new ReconstructStage(WeightReconstructor.builder().build()));
        }
        if (finetuneSteps > 0) {
            List<?> train = workload.trainBatches(data.data, finetuneExamples, finetuneBatch != null ? finetuneBatch : data.batch);
            FineTuneConfig config;
            try {
                config = FineTuneConfig.builder().steps(finetuneSteps).learningRate(finetuneLr)
                        .schedule(LrSchedule.parse(finetuneSchedule)).warmupSteps(finetuneWarmup).distillation(finetuneDistill)
                        .logEvery((int) Math.max(1, Math.min(50, finetuneSteps / 20)))
                        .checkpointEvery(checkpoint == null ? 0 : 100).build();
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            DistillableModel<?> teacher = finetuneDistill > 0 ? workload.teacher(pattern, selection) : null;
            pipeline.then(new FineTuneStage(config, train, checkpoint, finetuneEvalEvery, teacher));
        }
    }

    /** Picocli checks types, not ranges. */
    RecoveryOptions validated() {
        if (finetuneSteps < 0 || finetuneEvalEvery < 0 || finetuneExamples < 1 || (finetuneBatch != null && finetuneBatch < 1)) {
            throw new UserError("--finetune, --finetune-eval-every must be >= 0 and --finetune-examples, --finetune-batch"
                    + " positive");
        }
        if (!(finetuneLr > 0) || Double.isInfinite(finetuneLr)) {
            throw new UserError("--finetune-lr must be a finite number > 0, got " + finetuneLr);
        }
        return this;
    }
}
