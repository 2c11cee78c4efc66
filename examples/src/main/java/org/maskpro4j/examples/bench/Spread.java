package org.maskpro4j.examples.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The median of repeated measurements with how far they scatter: min, max and the quartiles (linear
 * interpolation). The relative range and IQR divide by the median, so the noise of a ratio and of a time read alike.
 */
public record Spread(double median, double min, double max, double q1, double q3, int samples) {

    public Spread {
        if (samples < 1) {
            throw new IllegalArgumentException("A spread needs at least one sample, got " + samples);
        }
    }

    public static Spread of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("A spread needs at least one sample");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double v : sorted) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("Measurement is not a finite number: " + v);
            }
        }
        return new Spread(quantile(sorted, 0.5), sorted[0], sorted[sorted.length - 1], quantile(sorted, 0.25),
                quantile(sorted, 0.75), sorted.length);
    }

    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /** (max − min) / median. */
    public double relativeRange() {
        return (max - min) / median;
    }

    /** (q3 − q1) / median. */
    public double relativeIqr() {
        return (q3 - q1) / median;
    }

    /** Every value multiplied by {@code factor} (> 0), e.g. seconds to milliseconds or time to throughput. */
    public Spread scaled(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("Scale factor must be positive, got " + factor);
        }
        return new Spread(median * factor, min * factor, max * factor, q1 * factor, q3 * factor, samples);
    }

    /** {@code numerator / x} for every value x: turns seconds per item into items per second (order flips). */
    public Spread reciprocal(double numerator) {
        return new Spread(numerator / median, numerator / max, numerator / min, numerator / q3, numerator / q1, samples);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", median);
        m.put("min", min);
        m.put("max", max);
        m.put("relative_range", relativeRange());
        m.put("relative_iqr", relativeIqr());
        m.put("samples", samples);
        return m;
    }
}
