package org.maskpro4j.maskpro;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs MaskPro inside a user's own {@code fit()} loop: after every iteration it takes one {@link MaskProStep} on
 * that iteration's minibatch, then lets training continue under the current top-N mask. Weight updates that
 * {@code fit()} made to plain (non-wrapper) layers are folded into their dense copies first, so masks are
 * always applied to the weights being trained. Stops updating the policy after {@code config.steps()} steps.
 */
public final class MaskProTrainingListener extends BaseTrainingListener {
    private static final Logger log = LoggerFactory.getLogger(MaskProTrainingListener.class);

    private final MaskableModel<DataSet> model;
    private final MaskProStep state;
    private final List<StepRecord> history = new ArrayList<>();

    public MaskProTrainingListener(MaskableModel<DataSet> model, MaskProConfig config, Map<String, INDArray> priorMasks) {
        this.model = Objects.requireNonNull(model, "model");
        MaskPolicy policy = MaskPolicy.fromPrior(config.pattern(), model.weights(), priorMasks, config.logitMagnitude());
        this.state = new MaskProStep(config, policy);
        policy.apply(policy.priorMask());
    }

    @Override
    public void iterationDone(Model m, int iteration, int epoch) {
        if (state.step() >= state.config().steps()) {
            return;
        }
        DataSet batch = currentBatch(m);
        for (MaskableWeight w : model.weights()) {
            if (w instanceof ParamWeight p) {
                p.absorbLiveChanges();
            }
        }
        StepRecord r = state.step(model, batch);
        history.add(r);
        state.policy().apply(state.policy().mode());
        if (r.step() % state.config().logEvery() == 0) {
            log.info(String.format("MaskPro (in fit) step %d  iteration %d  epoch %d  residual %+.5f  δ %+.5f  changed %.3f%%",
                    r.step(), iteration, epoch, r.residual(), r.delta(), 100 * r.changedShare()));
        }
    }

    /** Applies the top-N mask and returns the run's outcome; call after {@code fit()}. */
    public MaskProResult finish() {
        INDArray mode = state.policy().mode();
        state.policy().apply(mode);
        return new MaskProResult(state.policy().split(mode), List.copyOf(history), state.step(),
                state.policy().changedShare(mode, state.policy().priorMask()), 0);
    }

    public MaskProStep state() {
        return state;
    }

    private static DataSet currentBatch(Model m) {
        if (m instanceof MultiLayerNetwork net) {
            return new DataSet(net.getInput(), net.getLabels());
        }
        if (m instanceof ComputationGraph graph) {
            return new DataSet(graph.getInput(0), graphLabels(graph));
        }
        throw new IllegalArgumentException("MaskProTrainingListener supports MultiLayerNetwork and ComputationGraph, not "
                + m.getClass().getName());
    }

    /** M2.1's ComputationGraph keeps the current labels in a field without a getter. */
    private static INDArray graphLabels(ComputationGraph graph) {
        try {
            Field f = ComputationGraph.class.getDeclaredField("labels");
            f.setAccessible(true);
            INDArray[] labels = (INDArray[]) f.get(graph);
            if (labels == null || labels.length != 1) {
                throw new IllegalStateException("ComputationGraph has no single label array in iterationDone");
            }
            return labels[0];
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot read the ComputationGraph's labels in this DL4J version", e);
        }
    }
}
