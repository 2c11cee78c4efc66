package org.maskpro4j.maskpro;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps the best top-N mask seen on held-out selection data: the prior mask at step 0, then the policy's top-N mask
 * every few steps. A run that starts to drift (the policy spreading past the useful flips) therefore ends no worse on
 * the selection data than its best point, and never worse than its prior.
 */
final class BestMaskSelection {
    private final List<SelectionRecord> records;
    private INDArray bestMask;
    private double bestLoss;
    private long bestStep;

    BestMaskSelection() {
        this(new ArrayList<>(), null, Double.POSITIVE_INFINITY, 0);
    }

    BestMaskSelection(List<SelectionRecord> records, INDArray bestMask, double bestLoss, long bestStep) {
        this.records = new ArrayList<>(records);
        this.bestMask = bestMask;
        this.bestLoss = bestLoss;
        this.bestStep = bestStep;
    }

    /**
     * Applies {@code mask} (which the policy produced at {@code step}), scores it with {@code heldOutLoss} and keeps it
     * if it is the best so far.
     */
    SelectionRecord evaluate(MaskPolicy policy, INDArray mask, long step, DoubleSupplier heldOutLoss) {
        policy.apply(mask);
        SelectionRecord r = new SelectionRecord(step, heldOutLoss.getAsDouble(), policy.changedFromPrior(mask));
        records.add(r);
        if (r.loss() < bestLoss) {
            bestLoss = r.loss();
            bestStep = step;
            // kept as BYTE 0/1 whatever the candidate's type: a quarter of a FLOAT mask for the rest of the run
            bestMask = mask.dataType() == DataType.BYTE ? mask.dup() : mask.castTo(DataType.BYTE);
        }
        return r;
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    List<SelectionRecord> records() {
        return List.copyOf(records);
    }

    INDArray bestMask() {
        return bestMask;
    }

    double bestLoss() {
        return bestLoss;
    }

    long bestStep() {
        return bestStep;
    }
}
