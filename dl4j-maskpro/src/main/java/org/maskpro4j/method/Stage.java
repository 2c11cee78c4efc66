package org.maskpro4j.method;

import java.util.Map;

/**
 * One step of a {@link MaskPipeline}: the prior, mask learning, verification and export are stages, and so is each
 * later addition (weight reconstruction under the mask, masked fine-tuning): one class each, added with
 * {@link MaskPipeline.Builder#then(Stage)}. The pipeline times every stage, samples its peak memory and, when the
 * stage changed the model, measures the held-out metric after it.
 */
public interface Stage {

    /** Short name in reports and logs ("prior", "mask", "reconstruct", …). */
    String name();

    /**
     * Runs on the model as the earlier stages left it (the current masks applied).
     *
     * @return what the stage did; {@link StageOutcome#masks()} replaces the run's current masks when not null
     */
    <B> StageOutcome run(StageContext<B> context);

    /** The settings that decide what this stage does, recorded in the provenance of the masks (none by default). */
    default Map<String, String> settings() {
        return Map.of();
    }
}
