package org.maskpro4j.maskpro;

import java.util.Locale;

/**
 * How a MaskPro step turns a sample's advantage (its residual minus its baseline) into a logit move.
 */
public enum UpdateRule {
    /**
     * The advantage is divided by a running estimate of its own spread (root of a bias-corrected moving average of
     * the squared advantages), so η is in logit units per step and the same η fits a loss averaged or summed over
     * time steps, NLL or MSE, any batch size.
     */
    NORMALIZED,
    /** The paper's update: the advantage in the loss's own units times η (η must be tuned for every loss scale). */
    RAW;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UpdateRule parse(String name) {
        for (UpdateRule r : values()) {
            if (r.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("Unknown MaskPro update rule \"" + name + "\": choose normalized or raw");
    }
}
