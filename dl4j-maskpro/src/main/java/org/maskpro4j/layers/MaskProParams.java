package org.maskpro4j.layers;

/**
 * Parameter keys of the MaskPro layers. They are stored in saved models (as {@code <layer>_<key>} in the flat
 * parameter vector), so they are permanent API. {@code mask} and {@code input} are reserved by DL4J's SameDiff
 * layers, hence the {@code nm} prefix.
 */
public final class MaskProParams {
    /** Dense weights: {@code [nIn, nOut]} for dense layers, {@code [nOut, nIn, kH, kW]} for convolutions. */
    public static final String WEIGHT = "W";
    /** Bias, {@code [1, nOut]}; absent when the layer has no bias. */
    public static final String BIAS = "b";
    /** The 0/1 N:M mask, weight-shaped; the layer computes with {@code W ⊙ nmMask}. Never trained by backprop. */
    public static final String MASK = "nmMask";
    /**
     * MaskPro's per-position logits, weight-shaped; stored so a saved model carries the learning state. They must
     * stay finite: the graph keeps them attached as {@code 0 · Σ logits}, which an infinity would turn into NaN.
     */
    public static final String LOGITS = "nmLogits";

    private MaskProParams() {
    }

    /** Whether {@code key} is a parameter that backprop must never change (the mask and the logits). */
    public static boolean isFrozen(String key) {
        return MASK.equals(key) || LOGITS.equals(key);
    }
}
