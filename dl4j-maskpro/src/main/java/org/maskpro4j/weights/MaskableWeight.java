package org.maskpro4j.weights;

import java.util.OptionalLong;
import java.util.function.Supplier;

import org.maskpro4j.nm.GroupLayout;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One weight tensor that can carry an N:M mask, whatever holds it: a MultiLayerNetwork or ComputationGraph
 * parameter, a SameDiff variable, or a MaskPro wrapper layer's own parameter. It keeps what restores the dense weights
 * (a private copy, or only the values the applied mask removes), so masks can be swapped any number of times without
 * losing what the user gave.
 */
public interface MaskableWeight {

    /** Stable, human-readable name (layer name plus parameter), used in logs, errors, checkpoints and exports. */
    String name();

    /** How the weight is cut into groups; its owner is {@link #name()}. */
    GroupLayout layout();

    /** The original dense weights (weight-shaped; may be a fresh copy). Callers must not modify the returned array. */
    INDArray dense();

    /** The weights the model currently computes with (weight-shaped, a view where the holder allows it). */
    INDArray live();

    /** Sets the weights the model computes with; {@code weights} is weight-shaped. */
    void assignLive(INDArray weights);

    /** Makes the model compute with {@code dense ⊙ mask}; {@code groupMask} is {@code [groups, M]} 0/1. */
    default void applyMask(INDArray groupMask) {
        GroupLayout layout = layout();
        INDArray masked = layout.toGroups(dense()).muli(groupMask.castTo(dense().dataType()));
        assignLive(layout.fromGroups(masked));
    }

    /** {@link #applyMask(INDArray)} of a 0/1 mask held as bits, which a compact holder applies without an array. */
    default void applyMask(MaskBits groupMask) {
        applyMask(groupMask.toMask(ByteMasks.TYPE));
    }

    /**
     * Tells the holder whether it is the only writer of its live array from now on. {@code false}, the default, is always
     * safe: anything may write the live array between masks (a {@code fit()} loop, a user's optimizer, fine-tuning), so
     * each mask applied re-reads the positions it keeps removed and zeroes what was written there. {@code true} is a
     * promise by the code that owns the model for a while, and only forward passes run between its masks (MaskProLearner
     * on a model it was handed): a holder may then touch only the groups whose kept positions change. Turning it on
     * zeroes what was written into removed positions before; turn it off before handing the model back.
     */
    default void soleWriter(boolean sole) {
    }

    /**
     * The number of this weight's groups whose applied mask keeps other positions than {@code reference}'s groups
     * {@code first …}, where the holder keeps its applied mask as {@link KeptSets} (no second ranking of the mask);
     * empty where it does not.
     */
    default OptionalLong groupsChangedFrom(KeptSets reference, long first) {
        return OptionalLong.empty();
    }

    /**
     * Keeps {@code [groups, M]} policy logits with the weight, so a model saved now carries its learning state. Where the
     * holder has nowhere to keep them (plain parameters: checkpoints hold them instead) it does not ask for them, so
     * compactly stored logits are not decoded for nothing.
     */
    default void keepLogits(Supplier<INDArray> groupLogits) {
    }

    /** Restores the dense weights. */
    default void restoreDense() {
        assignLive(dense());
    }
}
