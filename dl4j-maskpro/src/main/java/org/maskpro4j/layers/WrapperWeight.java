package org.maskpro4j.layers;

import java.util.Objects;
import java.util.function.Supplier;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight of a MaskPro layer seen as a {@link MaskableWeight}. Unlike a plain parameter, the dense weights stay
 * in {@code W} and a mask only rewrites {@code nmMask}, so masks can be swapped without any copy of the dense
 * weights, and training {@code W} with a mask in place trains the dense weights themselves.
 *
 * <p>All arrays returned or written are views of the layer's parameters; the layer must stay the one the model
 * computes with (do not re-init the network after creating a {@code WrapperWeight}).
 */
public final class WrapperWeight implements MaskableWeight {
    private final String name;
    private final GroupLayout layout;
    private final INDArray weight;
    private final INDArray mask;
    private final INDArray logits;

    private WrapperWeight(String name, GroupLayout layout, INDArray weight, INDArray mask, INDArray logits) {
        this.name = name;
        this.layout = layout;
        this.weight = weight;
        this.mask = mask;
        this.logits = logits;
    }

    /** Whether {@code conf} is a MaskPro layer configuration, i.e. whether {@link #of} accepts its layer. */
    public static boolean isWrapper(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return conf instanceof MaskProLayer;
    }

    /** Whether the runtime {@code layer} is a MaskPro layer. */
    public static boolean isWrapper(org.deeplearning4j.nn.api.Layer layer) {
        return layer != null && layer.conf() != null && isWrapper(layer.conf().getLayer());
    }

    /**
     * The maskable weight of a MaskPro layer of a network.
     *
     * @param name  the name used in logs, errors and checkpoints (usually the layer name)
     * @param layer a layer of an initialised MultiLayerNetwork or ComputationGraph
     * @throws IllegalArgumentException when {@code layer} is not a MaskPro layer (check {@link #isWrapper} first)
     */
    public static WrapperWeight of(String name, org.deeplearning4j.nn.api.Layer layer) {
        Objects.requireNonNull(name, "name");
        if (!isWrapper(layer)) {
            String type = layer == null || layer.conf() == null ? String.valueOf(layer)
                    : layer.conf().getLayer().getClass().getSimpleName();
            throw new IllegalArgumentException("Layer '" + name + "' is a " + type + ", not a MaskPro layer;"
                    + " use WrapperWeight.isWrapper to select layers, or wrap the model with MaskProWrapping first");
        }
        MaskProLayer conf = (MaskProLayer) layer.conf().getLayer();
        INDArray weight = layer.getParam(MaskProParams.WEIGHT);
        GroupLayout layout = GroupLayout.of(name, conf.layoutKind(), weight.shape(), conf.nmPattern());
        return new WrapperWeight(name, layout, weight, layer.getParam(MaskProParams.MASK), layer.getParam(MaskProParams.LOGITS));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GroupLayout layout() {
        return layout;
    }

    /** The {@code W} parameter itself (a view): the dense weights, including whatever training did to them. */
    @Override
    public INDArray dense() {
        return weight;
    }

    /** A fresh {@code W ⊙ nmMask}: what the layer computes with. */
    @Override
    public INDArray live() {
        return weight.mul(mask);
    }

    /** Sets {@code W := weights} and {@code nmMask := 1}, so the layer computes with exactly {@code weights}. */
    @Override
    public void assignLive(INDArray weights) {
        weight.assign(weights);
        mask.assign(1);
    }

    /** Writes {@code nmMask}; {@code W} is untouched. */
    @Override
    public void applyMask(INDArray groupMask) {
        mask.assign(layout.fromGroups(groupMask.castTo(mask.dataType())));
    }

    /** Sets {@code nmMask := 1}; {@code W} is untouched. */
    @Override
    public void restoreDense() {
        mask.assign(1);
    }

    /** The {@code nmMask} parameter (a weight-shaped view). */
    public INDArray maskParam() {
        return mask;
    }

    /** A fresh {@code [groups, M]} copy of the current mask. */
    public INDArray groupMask() {
        return layout.toGroups(mask);
    }

    /** The {@code nmLogits} parameter (a weight-shaped view) that a learner mirrors its logits into. */
    public INDArray logitsParam() {
        return logits;
    }

    /** A fresh {@code [groups, M]} copy of the stored logits (to resume a learner from a saved model). */
    public INDArray groupLogits() {
        return layout.toGroups(logits);
    }

    /** Stores {@code [groups, M]} logits into {@code nmLogits}. */
    public void storeGroupLogits(INDArray groupLogits) {
        logits.assign(layout.fromGroups(groupLogits.castTo(logits.dataType())));
    }

    @Override
    public void keepLogits(Supplier<INDArray> groupLogits) {
        storeGroupLogits(groupLogits.get());
    }

    @Override
    public String toString() {
        return "WrapperWeight(" + layout + ")";
    }
}
