package org.maskpro4j.maskllm;

import java.util.List;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MaskLLM's objective for one minibatch and one draw of Gumbel noise, and its gradient with respect to the gates
 * (maskpro-spec §4.1): the model computes with W ⊙ M̃, the model's own backprop gives dL/dW_live, and the chain
 * rule to the gates runs here in the group view:
 * <pre>
 *   objective        = L(W ⊙ M̃) − λ·Σ (W ⊙ M̃)²
 *   dObjective/dM̃    = dL/dW_live ⊙ W − 2λ·W² ⊙ M̃
 *   dObjective/dgates = (κ/τ)·ỹ ⊙ (u − ⟨u, ỹ⟩),  u = dObjective/dM̃ · Sᵀ
 * </pre>
 * The regulariser is subtracted, as in the paper and the official code: it rewards keeping large weights.
 */
final class SoftMaskObjective {

    /** What one evaluation saw; {@code gateGradient} is {@code [groups, K]}, {@code relaxed} is ỹ. */
    record Evaluation(double loss, double regulariser, double objective, INDArray relaxed, INDArray softMask,
            INDArray gateGradient) {
    }

    private SoftMaskObjective() {
    }

    /**
     * Leaves the model computing with the soft mask of this evaluation.
     *
     * @param lambda the regulariser coefficient at this step
     */
    static <B> Evaluation evaluate(DifferentiableModel<B> model, B batch, CandidateGates gates, INDArray noise,
            double kappa, double tau, double lambda) {
        INDArray relaxed = gates.relaxed(noise, kappa, tau);
        INDArray soft = gates.softMask(relaxed);
        gates.apply(soft);
        DifferentiableModel.Gradients grads = model.lossAndGradients(batch);
        DataType type = gates.gates().dataType();
        INDArray maskGradient = Nd4j.create(type, gates.groupCount(), gates.pattern().m());
        double regulariser = 0;
        List<MaskableWeight> weights = gates.weights();
        for (int i = 0; i < weights.size(); i++) {
            MaskableWeight w = weights.get(i);
            GroupLayout layout = w.layout();
            INDArray dense = layout.toGroups(w.dense()).castTo(type);
            INDArray effective = dense.mul(gates.slice(soft, i));
            double norm = effective.norm2Number().doubleValue();
            regulariser += norm * norm;
            INDArray dLoss = layout.toGroups(grads.of(w)).castTo(type).muli(dense);
            gates.slice(maskGradient, i).assign(dLoss.subi(effective.muli(dense).muli(2 * lambda)));
        }
        // the weight gradients are spent: free them now, not at some later GC (models return copies the caller owns)
        grads.release();
        INDArray gateGradient = gates.gateGradient(relaxed, maskGradient, kappa, tau);
        return new Evaluation(grads.loss(), regulariser, grads.loss() - lambda * regulariser, relaxed, soft, gateGradient);
    }
}
