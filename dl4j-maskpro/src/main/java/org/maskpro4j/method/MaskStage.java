package org.maskpro4j.method;

import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.weights.MaskableWeight;

/** The mask stage: runs the {@link MaskMethod} on the dense weights, from the prior when the method uses one. */
final class MaskStage implements Stage {
    private final MaskMethod method;

    MaskStage(MaskMethod method) {
        this.method = method;
    }

    @Override
    public String name() {
        return "mask";
    }

    @Override
    public <B> StageOutcome run(StageContext<B> context) {
        context.model().weights().forEach(MaskableWeight::restoreDense);
        if (method.usesPrior() && context.prior() == null) {
            throw new IllegalStateException(method.name() + " starts from a prior, but no prior stage ran before it");
        }
        MaskResult result = method.run(context.model(), context.train(), method.usesPrior() ? context.prior().masks() : null,
                context.selection());
        context.maskResult(result);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", method.name());
        if (!Double.isNaN(result.changedFromPrior())) {
            details.put("changedFromPrior", result.changedFromPrior());
        }
        details.put("weightsUpdated", result.weightsUpdated());
        details.putAll(result.details());
        return StageOutcome.changed(result.masks(), result.steps(), details);
    }
}
