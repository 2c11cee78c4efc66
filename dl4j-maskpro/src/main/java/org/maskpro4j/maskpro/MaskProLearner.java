package org.maskpro4j.maskpro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;

import org.maskpro4j.provenance.DataFingerprint;
import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.progress.ProgressMeter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward-only MaskPro driver: cycles over the data in its fixed order, one {@link MaskProStep} per batch,
 * with no backprop, gradients or updater state anywhere. Checkpoints atomically and resumes to the same masks
 * as an uninterrupted run. Ends with the top-N mask applied to the model; given held-out selection data, it scores
 * the prior and then the top-N mask every {@link MaskProConfig#evaluationInterval()} steps and ends with the best
 * of them instead.
 */
public final class MaskProLearner {
    private static final Logger log = LoggerFactory.getLogger(MaskProLearner.class);

    private final MaskProConfig config;
    private final Path checkpoint;
    /** Written into every checkpoint; set when a run starts or resumes with a checkpoint. */
    private Provenance provenance;

    /**
     * @param checkpoint file to checkpoint to and resume from, or null for none
     */
    public MaskProLearner(MaskProConfig config, Path checkpoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.checkpoint = checkpoint;
    }

    /**
     * @param priorMasks initial mask m₀ per weight name ({@code [groups, M]} 0/1 of any numeric type, e.g. the BYTE
     *                   masks of a {@link org.maskpro4j.prior.MaskPrior}); read one weight at a time into the policy's
     *                   bits and not kept; ignored when resuming from a checkpoint
     */
    public <B> MaskProResult learn(MaskableModel<B> model, Iterable<B> data, Map<String, INDArray> priorMasks) {
        return learn(model, data, priorMasks, null);
    }

    /**
     * @param selection held-out batches that choose the mask the run ends with (the prior's or a later top-N mask);
     *                  keep them apart from the data the final result is reported on. Null: the last top-N mask.
     */
    public <B> MaskProResult learn(MaskableModel<B> model, Iterable<B> data, Map<String, INDArray> priorMasks,
            Iterable<B> selection) {
        Iterator<B> first = data.iterator();
        if (!first.hasNext()) {
            throw new IllegalArgumentException("The training data is empty: MaskPro needs at least one minibatch");
        }
        CyclingBatches<B> batches = new CyclingBatches<>(data, first);
        // until this returns only the run's masks and forward passes touch the weights: a mask moves only the groups
        // whose kept positions change, instead of re-reading all removed positions for what training wrote there
        List<MaskableWeight> weights = model.weights();
        weights.forEach(w -> w.soleWriter(true));
        try {
            return learn(weights, data, priorMasks, state -> state.step(model, batches.at(state.step())),
                    selection == null ? null : () -> meanLoss(model, selection));
        } finally {
            weights.forEach(w -> w.soleWriter(false));
        }
    }

    private static <B> double meanLoss(MaskableModel<B> model, Iterable<B> batches) {
        double sum = 0;
        int n = 0;
        for (B batch : batches) {
            sum += model.loss(batch);
            n++;
        }
        if (n == 0) {
            throw new IllegalArgumentException("The held-out selection data is empty");
        }
        return sum / n;
    }

    /** How a run takes one step on its state: the batch and where the losses are measured are the stepper's. */
    @FunctionalInterface
    public interface Stepper {
        StepRecord step(MaskProStep state);
    }

    /**
     * The run loop, whoever measures the losses (this process, or a cluster that sums them over data shards):
     * resumes, steps, logs, checkpoints and ends with the top-N mask applied to {@code weights}.
     *
     * @param data the batches the stepper learns from, for the checkpoint's provenance only
     */
    public MaskProResult learn(List<MaskableWeight> weights, Iterable<?> data, Map<String, INDArray> priorMasks,
            Stepper stepper) {
        return learn(weights, data, priorMasks, stepper, null);
    }

    /**
     * @param selectionLoss the held-out loss of the model as it computes now (the learner applies each candidate mask
     *                      first), or null to end with the last top-N mask
     */
    public MaskProResult learn(List<MaskableWeight> weights, Iterable<?> data, Map<String, INDArray> priorMasks,
            Stepper stepper, DoubleSupplier selectionLoss) {
        long started = System.nanoTime();
        provenance = null;
        List<StepRecord> history = new ArrayList<>();
        BestMaskSelection[] best = {new BestMaskSelection()};
        MaskProStep state = resumeOrStart(weights, priorMasks, history, data, best);
        BestMaskSelection chosen = best[0];
        if (checkpoint != null && provenance == null) {
            provenance = provenance(data, state.policy().priorMask());
        }
        if (selectionLoss != null && chosen.isEmpty()) {
            logSelection(chosen.evaluate(state.policy(), state.policy().priorMask(), state.step(), selectionLoss), chosen);
        }
        // steps = 0 (the config allows it) hands the prior's top-N mask on: nothing to show progress of
        ProgressMeter progress = config.steps() == 0 ? null : new ProgressMeter(state.step(), config.steps());
        while (state.step() < config.steps()) {
            StepRecord r = stepper.step(state);
            history.add(r);
            if (progress.due(r.step(), config.logEvery())) {
                logProgress(r, progress);
            }
            if (selectionLoss != null && (r.step() % config.evaluationInterval() == 0 || r.step() == config.steps())) {
                logSelection(chosen.evaluate(state.policy(), state.policy().mode(), r.step(), selectionLoss), chosen);
            }
            if (checkpoint != null && config.checkpointEvery() > 0 && r.step() % config.checkpointEvery() == 0) {
                save(state, history, chosen);
            }
        }
        boolean selected = selectionLoss != null;
        Map<String, INDArray> finalMasks = selected ? state.policy().split(chosen.bestMask()) : state.policy().modeMasks();
        state.policy().apply(finalMasks);
        state.policy().storeLogitsInWrappers();
        if (checkpoint != null) {
            save(state, history, chosen);
        }
        double changed = state.policy().changedFromPrior(finalMasks);
        long selectedStep = selected ? chosen.bestStep() : state.step();
        double seconds = (System.nanoTime() - started) / 1e9;
        log.info("MaskPro done: {} steps in {} s, kept the top-N mask of step {}, which differs from the prior in {} of groups",
                state.step(), String.format("%.1f", seconds), selectedStep, String.format("%.3f%%", 100 * changed));
        return new MaskProResult(finalMasks, List.copyOf(history), state.step(), changed, seconds,
                chosen.records(), selectedStep);
    }

    private void logSelection(SelectionRecord r, BestMaskSelection chosen) {
        log.info(String.format("MaskPro held-out at step %d: loss %.5f  (mask differs from the prior in %.3f%% of groups)"
                + "  best so far: step %d, %.5f", r.step(), r.loss(), 100 * r.changedShare(), chosen.bestStep(),
                chosen.bestLoss()));
    }

    private MaskProStep resumeOrStart(List<MaskableWeight> weights, Map<String, INDArray> priorMasks, List<StepRecord> history,
            Iterable<?> data, BestMaskSelection[] best) {
        if (checkpoint != null && Files.exists(checkpoint)) {
            try {
                MaskProCheckpoint.Snapshot snap = MaskProCheckpoint.load(checkpoint);
                MaskProStep state = snap.bind(weights, config);
                history.addAll(snap.history());
                best[0] = snap.selection();
                provenance = snap.provenance();
                if (snap.provenance() != null && !snap.provenance().data().equals(DataFingerprint.of(data))) {
                    log.warn("Checkpoint {} was written on other data ({}) than this run's ({}); resuming anyway",
                            checkpoint, snap.provenance().data(), DataFingerprint.of(data));
                }
                log.info("Resuming MaskPro from {} at step {}", checkpoint, state.step());
                return state;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read checkpoint " + checkpoint, e);
            }
        }
        log.info("Starting {} on {} weights", config, weights.size());
        MaskPolicy policy = MaskPolicy.fromPrior(config.pattern(), weights, priorMasks, config.logitMagnitude());
        return new MaskProStep(config, policy);
    }

    /** The checkpoint's provenance: MaskPro, its config, and fingerprints of the data and of the prior masks. */
    private Provenance provenance(Iterable<?> data, INDArray priorMask) {
        return Provenance.of("maskpro", MaskProConfig.CODEC.toMap(config), "prior mask " + DataFingerprint.of(List.of(priorMask)),
                DataFingerprint.of(data), List.of("mask"));
    }

    private void save(MaskProStep state, List<StepRecord> history, BestMaskSelection selection) {
        try {
            MaskProCheckpoint.save(checkpoint, state, history, provenance, selection);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint " + checkpoint, e);
        }
    }

    private void logProgress(StepRecord r, ProgressMeter progress) {
        log.info(String.format("MaskPro step %d/%d  loss %.5f  residual %+.5f  δ %+.5f  spread %.3g  changed %.3f%%  %s",
                r.step(), config.steps(), r.loss(), r.residual(), r.delta(), r.spread(), 100 * r.changedShare(),
                progress.status(r.step())));
    }
}
