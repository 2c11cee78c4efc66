package org.maskpro4j.arbiter;

import java.util.List;
import java.util.Objects;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

/**
 * Arbiter leaf spaces for MaskPro hyperparameters, checked up front so a bad range fails when the space is
 * built rather than halfway through a sweep. Any Arbiter {@link ParameterSpace} works in their place.
 */
public final class Spaces {
    private Spaces() {
    }

    /** Uniform in log space: the right prior for step sizes such as η, which matter by orders of magnitude. */
    public static ParameterSpace<Double> logUniform(double min, double max) {
        if (!(min > 0) || !(max > min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("Log-uniform range needs 0 < min < max, got [" + min + ", " + max
                    + "]; use Spaces.fixed(value) for a single value");
        }
        return new ContinuousParameterSpace(new LogUniformDistribution(min, max));
    }

    public static ParameterSpace<Double> uniform(double min, double max) {
        if (!(max > min) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("Uniform range needs finite min < max, got [" + min + ", " + max
                    + "]; use Spaces.fixed(value) for a single value");
        }
        return new ContinuousParameterSpace(min, max);
    }

    /** Every integer in {@code [min, max]}; a grid search visits at most its grid-point count of them. */
    public static ParameterSpace<Integer> integers(int min, int max) {
        if (max <= min) {
            throw new IllegalArgumentException("Integer range needs min < max, got [" + min + ", " + max
                    + "]; use Spaces.fixed(value) for a single value");
        }
        return new IntegerParameterSpace(min, max);
    }

    /** One of the given values (a grid search visits each); a single value is a fixed one. */
    @SafeVarargs
    public static <T> ParameterSpace<T> choices(T... values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("choices(...) needs at least one value");
        }
        List<T> list = List.of(values);
        return list.size() == 1 ? fixed(list.get(0)) : new DiscreteParameterSpace<>(list);
    }

    public static <T> ParameterSpace<T> fixed(T value) {
        return new FixedValue<>(Objects.requireNonNull(value, "fixed value"));
    }
}
