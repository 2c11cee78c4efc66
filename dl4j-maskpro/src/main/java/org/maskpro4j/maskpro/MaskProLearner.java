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
 * as an uninterrupted run. Ends with the top-N mask applied to the model.
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
     * @param priorMasks initial mask m₀ per weight name ({@code [groups, M]}), e.g. from a
     *                   {@link org.maskpro4j.prior.MaskPrior}; ignored when resuming from a checkpoint
     */
    public <B> MaskProResult learn(MaskableModel<B> model, Iterable<B> data, Map<String, INDArray> priorMasks) {
        Iterator<B> first = data.iterator();
        if (!first.hasNext()) {
            throw new IllegalArgumentException("The training data is empty: MaskPro needs at least one minibatch");
        }
        CyclingBatches<B> batches = new CyclingBatches<>(data, first);
        return learn(model.weights(), data, priorMasks, state -> state.step(model, batches.at(state.step())));
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
        long started = System.nanoTime();
        provenance = null;
        List<StepRecord> history = new ArrayList<>();
        MaskProStep state = resumeOrStart(weights, priorMasks, history, data);
        if (checkpoint != null && provenance == null) {
            provenance = provenance(data, state.policy().priorMask());
        }
        // steps = 0 (the config allows it) hands the prior's top-N mask on: nothing to show progress of
        ProgressMeter progress = config.steps() == 0 ? null : new ProgressMeter(state.step(), config.steps());
        while (state.step() < config.steps()) {
            StepRecord r = stepper.step(state);
            history.add(r);
            if (r.step() % config.logEvery() == 0 || r.step() == config.steps()) {
                logProgress(r, progress);
            }
            if (checkpoint != null && config.checkpointEvery() > 0 && r.step() % config.checkpointEvery() == 0) {
                save(state, history);
            }
        }
        INDArray finalMask = state.policy().mode();
        state.policy().apply(finalMask);
        state.policy().storeLogitsInWrappers();
        if (checkpoint != null) {
            save(state, history);
        }
        double changed = state.policy().changedShare(finalMask, state.policy().priorMask());
        log.info("MaskPro done: {} steps, final mask differs from the prior in {} of groups",
                state.step(), String.format("%.3f%%", 100 * changed));
        return new MaskProResult(state.policy().split(finalMask), List.copyOf(history), state.step(), changed,
                (System.nanoTime() - started) / 1e9);
    }

    private MaskProStep resumeOrStart(List<MaskableWeight> weights, Map<String, INDArray> priorMasks, List<StepRecord> history,
            Iterable<?> data) {
        if (checkpoint != null && Files.exists(checkpoint)) {
            try {
                MaskProCheckpoint.Snapshot snap = MaskProCheckpoint.load(checkpoint);
                MaskProStep state = snap.bind(weights, config);
                history.addAll(snap.history());
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

    private void save(MaskProStep state, List<StepRecord> history) {
        try {
            MaskProCheckpoint.save(checkpoint, state, history, provenance);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint " + checkpoint, e);
        }
    }

    private void logProgress(StepRecord r, ProgressMeter progress) {
        log.info(String.format("MaskPro step %d/%d  loss %.5f  residual %+.5f  δ %+.5f  changed %.3f%%  %s",
                r.step(), config.steps(), r.loss(), r.residual(), r.delta(), 100 * r.changedShare(), progress.status(r.step())));
    }
}
