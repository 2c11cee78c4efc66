package org.maskpro4j.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.prior.OneShotResult;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A one-shot pruner (magnitude, Wanda, SparseGPT with or without its update) as a {@link MaskMethod}. */
final class OneShotMethod implements MaskMethod {
    private final PruneMethod method;
    private final OneShotOptions options;

    OneShotMethod(PruneMethod method, OneShotOptions options) {
        this.method = method;
        this.options = options;
    }

    @Override
    public String name() {
        return method.cliName();
    }

    @Override
    public boolean usesPrior() {
        return false;
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        if (method.needsHessian()) {
            s.put("blockSize", Integer.toString(options.blockSize()));
            s.put("dampening", Double.toString(options.dampening()));
        }
        if (method.needsCalibration()) {
            s.put("calibration", options.blockwise() ? "block" : "matrix");
        }
        return s;
    }

    @Override
    public <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior) {
        OneShotResult r = options.pruner(method).prune(model, data);
        return new MaskResult(name(), r.masks(), 0, List.of(), Double.NaN, method == PruneMethod.SPARSEGPT, r.totalSeconds(),
                Map.of("peakStatisticsBytes", r.peakStatisticsBytes()));
    }
}
