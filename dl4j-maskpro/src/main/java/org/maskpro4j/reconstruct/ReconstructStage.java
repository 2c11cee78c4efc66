package org.maskpro4j.reconstruct;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.method.Stage;
import org.maskpro4j.method.StageContext;
import org.maskpro4j.method.StageOutcome;

/**
 * The pipeline stage that re-fits the kept weights under the current masks ({@link WeightReconstructor}) on the run's
 * calibration batches; add it with {@code MaskPipeline.builder().then(new ReconstructStage(...))}.
 */
public final class ReconstructStage implements Stage {
    private final WeightReconstructor reconstructor;

    public ReconstructStage(WeightReconstructor reconstructor) {
        this.reconstructor = Objects.requireNonNull(reconstructor, "reconstructor");
    }

    @Override
    public String name() {
        return "reconstruct";
    }

    @Override
    public <B> StageOutcome run(StageContext<B> context) {
        if (context.masks() == null) {
            throw new IllegalStateException("Weight reconstruction needs masks: run it after the mask stage");
        }
        ReconstructionResult r = reconstructor.reconstruct(context.model(), context.train(), context.masks());
        double[] errors = r.meanErrors();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("meanLayerErrorBefore", errors[0]);
        details.put("meanLayerErrorAfter", errors[1]);
        details.put("peakStatisticsBytes", r.peakStatisticsBytes());
        return StageOutcome.changed(null, 0, details);
    }
}
