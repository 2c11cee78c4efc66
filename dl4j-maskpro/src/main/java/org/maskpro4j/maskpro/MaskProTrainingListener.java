package org.maskpro4j.maskpro;

import java.lang.reflect.Field;
import java.util.Map;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Runs MaskPro inside a user's own {@code fit()} loop: after every iteration it takes one {@link MaskProStep} on
 * that iteration's minibatch, then lets training continue under the current top-N mask. Weight updates that
 * {@code fit()} made to plain (non-wrapper) layers are folded into their dense copies first, so masks are
 * always applied to the weights being trained. After {@code config.steps()} steps the mask is frozen and training
 * continues under it (masked fine-tuning); {@link #finish()} keeps the trained weights.
 */
public final class MaskProTrainingListener extends BaseTrainingListener {

    private final InFitDriver<DataSet> driver;

    public MaskProTrainingListener(MaskableModel<DataSet> model, MaskProConfig config, Map<String, INDArray> priorMasks) {
        this.driver = new InFitDriver<>(model, config, priorMasks);
    }

    @Override
    public void iterationDone(Model m, int iteration, int epoch) {
        driver.afterIteration(driver.state().step() < driver.state().config().steps() ? currentBatch(m) : null);
    }

    /** Applies the top-N mask and returns the run's outcome; call after {@code fit()}. */
    public MaskProResult finish() {
        return driver.finish();
    }

    public MaskProStep state() {
        return driver.state();
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
