package org.maskpro4j.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.progress.PeakMemory;

/**
 * How one stage of a pipeline went.
 *
 * @param stage   the stage's name
 * @param heldOut the held-out metrics after the stage, or null when it did not change the model or no held-out data
 *                was given
 * @param seconds wall time of the stage (held-out measurement excluded)
 * @param peak    peak memory while the stage ran
 * @param steps   optimisation steps it took
 * @param details what the stage reported about itself
 */
public record StageReport(String stage, Map<String, Object> heldOut, double seconds, PeakMemory.Peak peak, long steps,
        Map<String, Object> details) {

    public StageReport {
        heldOut = heldOut == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(heldOut));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A JSON-friendly map: stage, seconds, peak MiB, steps, held-out metrics and details. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", stage);
        m.put("seconds", seconds);
        m.put("peakMiB", peak == null ? null : peak.totalMiB());
        m.put("steps", steps);
        if (heldOut != null) {
            m.put("heldOut", heldOut);
        }
        if (!details.isEmpty()) {
            m.put("details", details);
        }
        return m;
    }
}
