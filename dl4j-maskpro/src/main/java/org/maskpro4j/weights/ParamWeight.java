package org.maskpro4j.weights;

import java.util.Objects;

import org.maskpro4j.nm.GroupLayout;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A maskable weight held in an array the model computes with directly (a DL4J layer parameter view or a
 * SameDiff variable's array). Masks are applied by overwriting the live array with {@code dense ⊙ mask}, so the
 * wrapped model runs its own native kernels at native speed.
 */
public final class ParamWeight implements MaskableWeight {
    private final String name;
    private final GroupLayout layout;
    private final INDArray live;
    /**
     * The one private copy of the dense weights, kept in group order because applying a mask, done for every sample
     * of every step, multiplies it by a group mask.
     */
    private final INDArray denseGroups;
    /** {@link #denseGroups} seen in the weight's shape: a view, so the dense weights are not held twice. */
    private final INDArray dense;
    private INDArray appliedMask;

    /**
     * @param live the array the model reads (a view is fine; it is written in place, never replaced)
     */
    public ParamWeight(String name, GroupLayout layout, INDArray live) {
        this.name = Objects.requireNonNull(name, "name");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.live = Objects.requireNonNull(live, "live");
        if (!java.util.Arrays.equals(live.shape(), layout.shape())) {
            throw new IllegalArgumentException("Weight '" + name + "': array shape " + java.util.Arrays.toString(live.shape())
                    + " does not match layout shape " + java.util.Arrays.toString(layout.shape()));
        }
        this.denseGroups = layout.toGroups(live);
        this.dense = layout.asWeight(denseGroups);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GroupLayout layout() {
        return layout;
    }

    @Override
    public INDArray dense() {
        return dense;
    }

    @Override
    public INDArray live() {
        return live;
    }

    @Override
    public void assignLive(INDArray weights) {
        live.assign(weights);
        appliedMask = null;
    }

    @Override
    public void applyMask(INDArray groupMask) {
        INDArray mask = groupMask.castTo(denseGroups.dataType());
        live.assign(layout.asWeight(denseGroups.mul(mask)));
        appliedMask = mask;
    }

    /**
     * Folds changes that training made to the live (masked) array back into the dense copy, so a mask applied
     * later starts from the trained weights. Entries the mask had removed keep their dense value plus whatever
     * update training gave them, as in sparse training with dense shadow weights.
     */
    public void absorbLiveChanges() {
        if (appliedMask == null) {
            return;
        }
        INDArray liveGroups = layout.toGroups(live);
        INDArray masked = denseGroups.mul(appliedMask);
        denseGroups.addi(liveGroups.subi(masked));
        applyMask(appliedMask);
    }
}
