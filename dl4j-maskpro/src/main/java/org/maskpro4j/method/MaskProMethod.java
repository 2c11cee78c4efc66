package org.maskpro4j.method;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/** MaskPro's forward-only learner as a {@link MaskMethod}. */
final class MaskProMethod implements MaskMethod {
    private final MaskProConfig config;
    private final Path checkpoint;

    MaskProMethod(MaskProConfig config, Path checkpoint) {
        this.config = config;
        this.checkpoint = checkpoint;
    }

    @Override
    public String name() {
        return MaskMethods.MASKPRO;
    }

    @Override
    public boolean usesPrior() {
        return true;
    }

    @Override
    public Map<String, String> settings() {
        return MaskProConfig.CODEC.toMap(config);
    }

    @Override
    public <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior) {
        return run(model, data, prior, null);
    }

    /** With selection batches the result's details say which step's mask was kept and what each evaluation scored. */
    @Override
    public <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior, List<B> selection) {
        MaskProResult r = new MaskProLearner(config, checkpoint).learn(model, data, prior, selection);
        Map<String, Object> details = new LinkedHashMap<>();
        if (!r.selection().isEmpty()) {
            details.put("selectedStep", r.selectedStep());
            details.put("selection", r.selection().stream().map(e -> Map.of("step", e.step(), "loss", e.loss(),
                    "changed", e.changedShare())).toList());
        }
        return new MaskResult(name(), r.masks(), r.steps(), r.history(), r.changedFromPrior(), false, r.seconds(), details);
    }
}
