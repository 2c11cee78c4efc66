package org.maskpro4j.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one {@link Stage} did.
 *
 * @param masks        the masks now applied, per weight name, or null when the stage kept the current ones
 * @param modelChanged true when the model computes differently afterwards (the pipeline then measures it again)
 * @param steps        optimisation steps the stage took (0 when none)
 * @param details      anything worth reporting (settings, counts), JSON-friendly values
 * @param heldOut      held-out metrics the stage measured itself on the model as it leaves it (so the pipeline does not
 *                     measure again), or null
 */
public record StageOutcome(Map<String, INDArray> masks, boolean modelChanged, long steps, Map<String, Object> details,
        Map<String, Object> heldOut) {

    public StageOutcome {
        // packed masks are read-only already, and a copy would decode them all
        masks = masks == null || masks instanceof PackedMasks ? masks : Collections.unmodifiableMap(new LinkedHashMap<>(masks));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        heldOut = heldOut == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(heldOut));
    }

    /** A stage that changed the model and left it computing with {@code masks} (null: the current ones). */
    public static StageOutcome changed(Map<String, INDArray> masks, long steps, Map<String, Object> details) {
        return new StageOutcome(masks, true, steps, details, null);
    }

    /** A stage that looked at the model without changing it (verification, export). */
    public static StageOutcome unchanged(Map<String, Object> details) {
        return new StageOutcome(null, false, 0, details, null);
    }
}
