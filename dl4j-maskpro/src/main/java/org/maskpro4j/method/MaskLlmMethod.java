package org.maskpro4j.method;

import java.util.List;
import java.util.Map;

import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.maskllm.MaskLlmResult;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/** MaskLLM's backprop learner as a {@link MaskMethod}; it needs a {@link DifferentiableModel}. */
final class MaskLlmMethod implements MaskMethod {
    private final MaskLlmConfig config;

    MaskLlmMethod(MaskLlmConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return MaskMethods.MASKLLM;
    }

    @Override
    public boolean usesPrior() {
        return true;
    }

    @Override
    public Map<String, String> settings() {
        return MaskLlmConfig.CODEC.toMap(config);
    }

    @Override
    public <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior) {
        if (!(model instanceof DifferentiableModel<B> differentiable)) {
            throw new IllegalArgumentException("MaskLLM learns by backpropagation, which this model kind does not offer"
                    + " here; use the maskpro method");
        }
        MaskLlmResult r = new MaskLlmLearner(config).learn(differentiable, data, prior);
        return new MaskResult(name(), r.masks(), r.steps(), List.of(), Double.NaN, false, r.seconds(),
                Map.of("stateBytes", r.stateBytes()));
    }
}
