package org.maskpro4j.finetune;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.NetworkUtils;
import org.maskpro4j.progress.ProgressMeter;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Masked fine-tuning of a DL4J network through its own {@code fit(DataSet)}: all its parameters train with its own
 * updater (the learning rate set by the config's schedule, {@link FineTuneConfig#learningRateAt(long)}), and a {@link MaskedFitListener} keeps the
 * maskable weights' masks. One {@code fit} call on one batch per step, cycling over the batches.
 */
public final class Dl4jMaskedFit {
    private static final Logger LOG = LoggerFactory.getLogger(Dl4jMaskedFit.class);

    /** Why DL4J networks refuse a distillation weight. */
    public static final String DISTILLATION_UNSUPPORTED = "Distillation is not supported for DL4J networks (their own fit()"
            + " trains on the data's labels): fine-tune them without a distillation weight";

    private Dl4jMaskedFit() {
    }

    /**
     * @param net     a MultiLayerNetwork or ComputationGraph, changed in place
     * @param weights its maskable weights, whose live arrays are the network's parameters
     * @param heldOut a held-out score evaluated after the last step, or null
     * @throws IllegalArgumentException for another model kind, no batches, or a missing or misshapen mask
     */
    public static FineTuneResult fit(Model net, List<MaskableWeight> weights, Map<String, INDArray> masks,
            List<DataSet> batches, FineTuneConfig config, DoubleSupplier heldOut) {
        if (batches == null || batches.isEmpty()) {
            throw new IllegalArgumentException("Masked fine-tuning needs training batches, but none were given");
        }
        if (config.distillation() > 0) {
            throw new IllegalArgumentException(DISTILLATION_UNSUPPORTED);
        }
        MaskedFitListener listener = new MaskedFitListener(weights, masks);
        Collection<TrainingListener> current = net instanceof MultiLayerNetwork mln ? mln.getListeners()
                : net instanceof ComputationGraph cg ? cg.getListeners() : null;
        Collection<TrainingListener> previous = current == null ? List.of() : new ArrayList<>(current);
        long t0 = System.nanoTime();
        ProgressMeter meter = new ProgressMeter(0, config.steps());
        List<FineTuneResult.Point> losses = new ArrayList<>();
        double window = 0;
        int windowSteps = 0;
        try {
            if (!(net instanceof MultiLayerNetwork) && !(net instanceof ComputationGraph)) {
                throw new IllegalArgumentException("DL4J masked fit takes a MultiLayerNetwork or ComputationGraph, got "
                        + net.getClass().getName());
            }
            List<TrainingListener> listeners = new ArrayList<>(previous);
            listeners.add(listener);
            net.setListeners(listeners);
            for (long step = 1; step <= config.steps(); step++) {
                if (config.schedule() != LrSchedule.CONSTANT || step <= config.warmupSteps() + 1) {
                    setLearningRate(net, config.learningRateAt(step));
                }
                DataSet batch = batches.get((int) ((step - 1) % batches.size()));
                if (net instanceof MultiLayerNetwork mln) {
                    mln.fit(batch);
                } else {
                    ((ComputationGraph) net).fit(batch);
                }
                window += net.score();
                windowSteps++;
                if (step % config.logEvery() == 0 || step == config.steps()) {
                    losses.add(new FineTuneResult.Point(step, window / windowSteps));
                    LOG.info("fine-tune (fit) step {}/{}: train loss {} {}", step, config.steps(),
                            String.format("%.4f", window / windowSteps), meter.status(step));
                    window = 0;
                    windowSteps = 0;
                }
            }
        } finally {
            net.setListeners(previous);
        }
        List<FineTuneResult.Point> scores = heldOut == null ? List.of()
                : List.of(new FineTuneResult.Point(config.steps(), heldOut.getAsDouble()));
        INDArray state = net instanceof MultiLayerNetwork mln ? mln.getUpdater().getStateViewArray()
                : ((ComputationGraph) net).getUpdater().getStateViewArray();
        String optimizer = "the network's own updater at lr=" + config.learningRate() + " " + config.schedule().cliName()
                + " (warmup " + config.warmupSteps() + "), " + config.steps() + " steps";
        return new FineTuneResult(listener.iterations(), losses, scores, optimizer,
                state == null ? 0 : state.length() * state.dataType().width(), (System.nanoTime() - t0) / 1e9);
    }

    /** The schedule's rate for the next fit; the updater's moments stay as they are. */
    private static void setLearningRate(Model net, double lr) {
        if (net instanceof MultiLayerNetwork mln) {
            NetworkUtils.setLearningRate(mln, lr);
        } else {
            NetworkUtils.setLearningRate((ComputationGraph) net, lr);
        }
    }
}
