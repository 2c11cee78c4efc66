package org.maskpro4j.examples.bench;

import org.maskpro4j.nm.MaskCode;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;

/**
 * {@code mask_bits_per_weight}: bytes of {@link MaskCode#encode} of the model's magnitude masks (one code per
 * weight tensor, as a mask file stores them) × 8 ÷ the weights they cover.
 */
public final class MaskCodeSize {

    public record Result(double bitsPerWeight, long bytes, long weights) {
    }

    private MaskCodeSize() {
    }

    /** @throws IllegalArgumentException when no weight of the model fits {@code pattern} */
    public static <B> Result measure(BenchSubject<B> subject, NmPattern pattern) {
        MaskableModel<B> view = subject.maskable(pattern);
        long bytes = 0;
        long weights = 0;
        for (MaskableWeight w : view.weights()) {
            bytes += MaskCode.encode(MagnitudePrior.of(w), pattern).length;
            weights += w.layout().weightCount();
        }
        return new Result(8.0 * bytes / weights, bytes, weights);
    }
}
