package org.maskpro4j.weights;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.maskpro4j.nm.GroupLayout;

/**
 * A layer configuration whose layer keeps its own N:M mask in parameters (the MaskPro wrapper layers). Model
 * discovery and calibration see such layers through this, so they need not know the layer classes.
 */
public interface MaskHoldingLayer {

    /** How the layer's weight is cut into groups. */
    GroupLayout.Kind layoutKind();

    /** The plain DL4J layer computing what this one computes with its mask applied (same inputs and outputs). */
    Layer toPlainLayer();

    /**
     * The maskable weight of {@code layer}, a layer of an initialised network built from this configuration.
     *
     * @param name the name used in logs, errors and checkpoints (usually the layer name)
     */
    MaskableWeight maskableWeight(String name, org.deeplearning4j.nn.api.Layer layer);
}
