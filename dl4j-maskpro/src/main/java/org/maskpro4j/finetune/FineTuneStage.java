package org.maskpro4j.finetune;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;

import org.deeplearning4j.nn.api.Model;
import org.maskpro4j.method.HeldOut;
import org.maskpro4j.method.Stage;
import org.maskpro4j.method.StageContext;
import org.maskpro4j.method.StageOutcome;
import org.maskpro4j.weights.ComputationGraphModel;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.DistillableModel;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The pipeline stage that trains the kept weights with the current masks fixed: DL4J networks through their own
 * {@code fit} ({@link Dl4jMaskedFit}), every other {@link DifferentiableModel} (SameDiff graphs, the LLaMA) through
 * {@link MaskedFineTuner}.
 */
public final class FineTuneStage implements Stage {
    private final FineTuneConfig config;
    private final List<?> batches;
    private final Path checkpoint;
    private final long evaluateEvery;
    private final DistillableModel<?> teacher;

    /**
     * @param batches       the model's training batches for fine-tuning (its own batch type), or null for the run's
     * @param checkpoint    checkpoint file (resumed when it exists) for the differentiable path, or null
     * @param evaluateEvery record the held-out score every this many steps (0: only at the end)
     * @param teacher       the dense model, the teacher of distillation (needed when the config's distillation weight is
     *                      above 0, ignored otherwise); null for none
     */
    public FineTuneStage(FineTuneConfig config, List<?> batches, Path checkpoint, long evaluateEvery,
            DistillableModel<?> teacher) {
        this.config = Objects.requireNonNull(config, "config");
        this.batches = batches == null ? null : List.copyOf(batches);
        this.checkpoint = checkpoint;
        this.evaluateEvery = evaluateEvery;
        this.teacher = teacher;
    }

    @Override
    public String name() {
        return "finetune";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <B> StageOutcome run(StageContext<B> context) {
        if (context.masks() == null) {
            throw new IllegalStateException("Masked fine-tuning needs masks: run it after the mask stage");
        }
        List<B> train = batches == null ? context.train() : (List<B>) batches;
        HeldOut heldOut = context.heldOut();
        DoubleSupplier score = heldOut == null ? null : () -> HeldOut.score(heldOut.measure());
        Model net = context.model() instanceof MultiLayerNetworkModel m ? m.network()
                : context.model() instanceof ComputationGraphModel g ? g.graph() : null;
        FineTuneResult r;
        if (net != null) {
            r = Dl4jMaskedFit.fit(net, context.model().weights(), context.masks(), (List<DataSet>) train, config, null);
        } else if (context.model() instanceof DifferentiableModel<B> differentiable) {
            r = new MaskedFineTuner(config, checkpoint).tune(differentiable, train, context.masks(),
                    evaluateEvery > 0 ? score : null, evaluateEvery, (DistillableModel<B>) teacher);
        } else {
            throw new IllegalArgumentException("Masked fine-tuning needs backpropagation, which "
                    + context.model().getClass().getSimpleName() + " does not offer");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("optimizer", r.optimizer());
        details.put("optimizerStateBytes", r.optimizerStateBytes());
        if (!r.trainLosses().isEmpty()) {
            details.put("trainLoss", r.trainLosses().get(r.trainLosses().size() - 1).value());
        }
        if (!r.heldOut().isEmpty()) {
            Map<String, Double> curve = new LinkedHashMap<>();
            r.heldOut().forEach(p -> curve.put(Long.toString(p.step()), p.value()));
            details.put("heldOutCurve", curve);
        }
        return StageOutcome.changed(null, r.steps(), details);
    }
}
