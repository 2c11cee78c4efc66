package org.maskpro4j.examples.bench;

import java.util.Optional;
import java.util.function.Supplier;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;

/**
 * {@code wrapped_over_original}: the inference forward of a model made ready for MaskPro, with a mask applied, ÷ the
 * forward of an untouched copy of the original, on the same batch. Two forms: the model itself with masks written
 * into its parameters ({@code ParamWeight}, as the forward-only learner and the training listeners use it), and the
 * model rebuilt with MaskPro's SameDiff wrapper layers ({@code MaskProWrapping}), where the model kind has them.
 */
public final class WrapBenchmark {

    /** {@code wrapperLayers} is null where the model kind has no wrapper layers. */
    public record Result(Timing.Comparison paramWeight, Timing.Comparison wrapperLayers) {
    }

    private WrapBenchmark() {
    }

    public static <B> Result run(BenchSubject<B> subject, NmPattern pattern, Timing timing) {
        B batch = subject.batches().get(0);
        BenchSubject<B> original = subject.copy();
        Timing.Comparison param = masked(subject, pattern,
                () -> timing.compare(() -> original.forward(batch), () -> subject.forward(batch)));
        Optional<BenchSubject<B>> wrapped = subject.wrapperLayers(pattern);
        Timing.Comparison layers = wrapped.map(w -> masked(w, pattern,
                () -> timing.compare(() -> original.forward(batch), () -> w.forward(batch)))).orElse(null);
        return new Result(param, layers);
    }

    /** Measures with every maskable weight of {@code subject} under its magnitude mask, then restores them. */
    private static <B> Timing.Comparison masked(BenchSubject<B> subject, NmPattern pattern, Supplier<Timing.Comparison> measure) {
        MaskableModel<B> view = subject.maskable(pattern);
        try {
            for (MaskableWeight w : view.weights()) {
                w.applyMask(MagnitudePrior.of(w));
            }
            return measure.get();
        } finally {
            view.weights().forEach(MaskableWeight::restoreDense);
        }
    }
}
