package org.maskpro4j.maskpro;

import java.util.Map;

import org.maskpro4j.weights.SameDiffModel;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The SameDiff counterpart of {@link MaskProTrainingListener}: one MaskPro step per {@code sd.fit()} iteration,
 * on that iteration's minibatch mapped to placeholders through the graph's {@link TrainingConfig}.
 */
public final class MaskProSameDiffListener extends BaseListener {
    private final InFitDriver<Map<String, INDArray>> driver;

    public MaskProSameDiffListener(SameDiffModel model, MaskProConfig config, Map<String, INDArray> priorMasks) {
        this.driver = new InFitDriver<>(model, config, priorMasks);
    }

    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    @Override
    public void iterationDone(SameDiff sd, At at, MultiDataSet batch, Loss loss) {
        driver.afterIteration(driver.state().step() < driver.state().config().steps()
                ? Dl4jData.placeholders(sd.getTrainingConfig(), batch) : null);
    }

    public MaskProStep state() {
        return driver.state();
    }

    /** Applies the top-N mask and returns the run's outcome; call after {@code fit()}. */
    public MaskProResult finish() {
        return driver.finish();
    }
}
