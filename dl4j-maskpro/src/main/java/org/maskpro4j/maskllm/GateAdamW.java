package org.maskpro4j.maskllm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The official MaskLLM optimizer on the gates: global-norm gradient clipping, then Adam with bias correction and
 * decoupled weight decay, as apex {@code FusedAdam} in its default AdamW mode computes it (maskpro-spec §4.3):
 * p ← p − lr·(m̂ / (√v̂ + ε) + wd·p). ND4J's own Adam puts ε inside the bias correction, so it is written out here.
 */
final class GateAdamW {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final double clipNorm;
    private final INDArray firstMoment;
    private final INDArray secondMoment;
    private long t;

    /**
     * @param clipNorm largest global gradient norm; 0 disables clipping
     */
    GateAdamW(INDArray params, double beta1, double beta2, double epsilon, double weightDecay, double clipNorm) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
        this.firstMoment = Nd4j.zeros(params.dataType(), params.shape());
        this.secondMoment = Nd4j.zeros(params.dataType(), params.shape());
    }

    /**
     * Updates {@code params} in place; {@code gradient} is consumed (scaled in place when clipped).
     *
     * @return the gradient's global norm before clipping
     */
    double step(INDArray params, INDArray gradient, double learningRate) {
        double norm = gradient.norm2Number().doubleValue();
        // Megatron's clip_grad_norm: scale by max/(norm + 1e-6) only when that is below 1
        double scale = clipNorm / (norm + 1e-6);
        if (clipNorm > 0 && scale < 1) {
            gradient.muli(scale);
        }
        t++;
        firstMoment.muli(beta1).addi(gradient.mul(1 - beta1));
        secondMoment.muli(beta2).addi(gradient.muli(gradient).muli(1 - beta2));
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        INDArray denominator = Transforms.sqrt(secondMoment.div(correction2), false).addi(epsilon);
        INDArray update = firstMoment.div(correction1).divi(denominator).addi(params.mul(weightDecay));
        params.subi(update.muli(learningRate));
        return norm;
    }

    /** Bytes of optimizer state: the two moment tensors. */
    long stateBytes() {
        return bytes(firstMoment) + bytes(secondMoment);
    }

    static long bytes(INDArray a) {
        return a.length() * a.dataType().width();
    }
}
