package org.maskpro4j.finetune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;

import org.maskpro4j.progress.ProgressMeter;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.DistillableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.NativeGarbage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the kept weights of every maskable weight by backpropagation with the N:M masks fixed ({@link MaskedAdam}):
 * one batch per step, cycling over the training batches in order, starting from whatever weights the model computes
 * with now (mask-only, reconstructed, …). Only the maskable weights are trained; the rest of the model stays as it
 * is. Works on any {@link DifferentiableModel}: SameDiff graphs, the LLaMA, DL4J networks (which can also use
 * {@link MaskedFitListener} inside their own {@code fit}).
 */
public final class MaskedFineTuner {
    private static final Logger LOG = LoggerFactory.getLogger(MaskedFineTuner.class);

    private final FineTuneConfig config;
    private final Path checkpoint;

    /**
     * @param checkpoint file to resume from when it exists and to write every {@link FineTuneConfig#checkpointEvery()}
     *                   steps and at the end; null for none
     */
    public MaskedFineTuner(FineTuneConfig config, Path checkpoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.checkpoint = checkpoint;
    }

    /** {@link #tune(DifferentiableModel, List, Map, DoubleSupplier, long, DistillableModel)} without held-out evaluations or teacher. */
    public <B> FineTuneResult tune(DifferentiableModel<B> model, List<B> train, Map<String, INDArray> masks) {
        return tune(model, train, masks, null, 0, null);
    }

    /**
     * @param masks        per weight name its {@code [groups, M]} 0/1 mask; every maskable weight needs one
     * @param heldOut      a held-out score of the model as it is now (e.g. validation loss), or null
     * @param evaluateEvery evaluate {@code heldOut} every this many steps and at the end (0: only at the end)
     * @param teacher      the dense model whose distribution the model learns when {@link FineTuneConfig#distillation()}
     *                     &gt; 0 (then {@code model} must be a {@link DistillableModel} too); null otherwise
     * @throws IllegalArgumentException for no batches, a missing or misshapen mask, a checkpoint of another run, a
     *                                  distillation without teacher
     */
    public <B> FineTuneResult tune(DifferentiableModel<B> model, List<B> train, Map<String, INDArray> masks,
            DoubleSupplier heldOut, long evaluateEvery, DistillableModel<B> teacher) {
        Objects.requireNonNull(model, "model");
        if (train == null || train.isEmpty()) {
            throw new IllegalArgumentException("Masked fine-tuning needs training batches, but none were given");
        }
        double lambda = config.distillation();
        if (lambda > 0 && (teacher == null || !(model instanceof DistillableModel<B>))) {
            throw new IllegalArgumentException("Distillation (λ = " + lambda + ") needs a dense teacher and a model that can"
                    + " learn from its distribution; " + (teacher == null ? "no teacher was given"
                    : model.getClass().getSimpleName() + " cannot") + ": set the distillation weight to 0");
        }
        List<MaskableWeight> weights = model.weights();
        Map<String, INDArray> shaped = weightShapedMasks(weights, masks);
        MaskedAdam adam = new MaskedAdam(config, weights, shaped);
        resume(weights, adam);
        for (MaskableWeight w : weights) {
            keepMasked(w, shaped.get(w.name()));
        }
        long first = adam.step();
        long t0 = System.nanoTime();
        ProgressMeter meter = new ProgressMeter(first, Math.max(config.steps(), first));
        List<FineTuneResult.Point> losses = new ArrayList<>();
        List<FineTuneResult.Point> scores = new ArrayList<>();
        double windowLoss = 0;
        int windowSteps = 0;
        long lastLog = System.nanoTime();
        while (adam.step() < config.steps()) {
            B batch = train.get((int) (adam.step() % train.size()));
            DifferentiableModel.Gradients g = lambda > 0 ? distilled((DistillableModel<B>) model, teacher, batch, lambda)
                    : model.lossAndGradients(batch);
            if (!Double.isFinite(g.loss())) {
                throw new IllegalStateException("Masked fine-tuning diverged at step " + adam.step() + " (loss " + g.loss()
                        + "); lower the learning rate (now " + config.learningRate() + ")");
            }
            adam.advance();
            for (MaskableWeight w : weights) {
                adam.update(w, g.of(w));
            }
            g.release();
            NativeGarbage.collectAfter(adam.step());
            windowLoss += g.loss();
            windowSteps++;
            long step = adam.step();
            boolean last = step == config.steps();
            if (step % config.logEvery() == 0 || last || System.nanoTime() - lastLog > 15e9) {
                losses.add(new FineTuneResult.Point(step, windowLoss / windowSteps));
                LOG.info("fine-tune step {}/{}: train loss {}, lr {} {}", step, config.steps(),
                        String.format("%.4f", windowLoss / windowSteps), String.format("%.3g", config.learningRateAt(step)),
                        meter.status(step));
                windowLoss = 0;
                windowSteps = 0;
                lastLog = System.nanoTime();
            }
            if (heldOut != null && (last || (evaluateEvery > 0 && step % evaluateEvery == 0))) {
                double score = heldOut.getAsDouble();
                scores.add(new FineTuneResult.Point(step, score));
                LOG.info("fine-tune step {}: held-out {}", step, String.format("%.4f", score));
            }
            if (checkpoint != null && (last || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0))) {
                save(weights, adam);
            }
        }
        return new FineTuneResult(adam.step(), losses, scores, config.toString(), adam.stateBytes(),
                (System.nanoTime() - t0) / 1e9);
    }

    private static <B> DifferentiableModel.Gradients distilled(DistillableModel<B> student, DistillableModel<B> teacher,
            B batch, double lambda) {
        try (INDArray target = teacher.logProbabilities(batch)) {
            return student.lossAndGradients(batch, target, lambda);
        }
    }

    private void resume(List<MaskableWeight> weights, MaskedAdam adam) {
        if (checkpoint == null || !Files.isRegularFile(checkpoint)) {
            return;
        }
        FineTuneCheckpoint.Snapshot s;
        try {
            long largest = weights.stream().mapToLong(w -> w.layout().weightCount()).max().orElse(0);
            s = FineTuneCheckpoint.load(checkpoint, FineTuneCheckpoint.entryBytes(largest));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read fine-tuning checkpoint " + checkpoint, e);
        }
        FineTuneConfig saved = s.config();
        if (!config.sameRunAs(saved)) {
            throw new IllegalArgumentException("Fine-tuning checkpoint " + checkpoint + " was written with " + saved
                    + ", not " + config + "; use another checkpoint path or the same settings");
        }
        for (MaskableWeight w : weights) {
            INDArray live = s.live().get(w.name());
            if (live == null || !Arrays.equals(live.shape(), w.layout().shape())) {
                throw new IllegalArgumentException("Fine-tuning checkpoint " + checkpoint + " does not hold weight '"
                        + w.name() + "' of shape " + Arrays.toString(w.layout().shape()) + "; it belongs to another model");
            }
            w.assignLive(live);
        }
        adam.restore(s.step(), s.first(), s.second());
        LOG.info("fine-tuning resumes from {} at step {}", checkpoint, s.step());
    }

    private void save(List<MaskableWeight> weights, MaskedAdam adam) {
        Map<String, INDArray> live = new LinkedHashMap<>();
        for (MaskableWeight w : weights) {
            live.put(w.name(), w.live());
        }
        try {
            FineTuneCheckpoint.save(checkpoint, config, adam.step(), live, adam);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write fine-tuning checkpoint " + checkpoint, e);
        }
    }

    /**
     * The weight-shaped BYTE 0/1 mask of every weight (whatever numeric type {@code masks} come in), checked against
     * its layout: held for the whole run, so a quarter of the weights' FLOAT size; multiplying casts one weight at a time.
     */
    static Map<String, INDArray> weightShapedMasks(List<MaskableWeight> weights, Map<String, INDArray> masks) {
        Objects.requireNonNull(masks, "masks");
        Map<String, INDArray> shaped = new LinkedHashMap<>();
        for (MaskableWeight w : weights) {
            INDArray mask = masks.get(w.name());
            long[] expected = {w.layout().groupCount(), w.layout().pattern().m()};
            if (mask == null || !Arrays.equals(mask.shape(), expected)) {
                throw new IllegalArgumentException("Masked fine-tuning needs a " + Arrays.toString(expected)
                        + " mask for weight '" + w.name() + "', got " + (mask == null ? "none"
                        : Arrays.toString(mask.shape())));
            }
            shaped.put(w.name(), w.layout().fromGroups(ByteMasks.of(mask)));
        }
        return shaped;
    }

    /** Makes {@code w} compute with its live weights times {@code shapedMask} (a {@link #weightShapedMasks} mask). */
    static void keepMasked(MaskableWeight w, INDArray shapedMask) {
        try (INDArray mask = shapedMask.castTo(w.live().dataType()); INDArray masked = w.live().mul(mask)) {
            w.assignLive(masked);
        }
    }
}
