package org.maskpro4j.nm;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict N:M sparsity pattern: in every group of M consecutive weights along the input dimension,
 * exactly N are kept. Validated at construction so that every other type can trust it.
 */
public final class NmPattern {
    public static final int MAX_M = 16;
    public static final int MAX_N = 8;
    private static final Pattern TEXT = Pattern.compile("\\s*(\\d+)\\s*:\\s*(\\d+)\\s*");

    private final int n;
    private final int m;

    private NmPattern(int n, int m) {
        if (m < 2 || m > MAX_M) {
            throw new IllegalArgumentException("N:M pattern " + n + ":" + m + ": M must be in 2.." + MAX_M);
        }
        if (n < 1 || n >= m) {
            throw new IllegalArgumentException("N:M pattern " + n + ":" + m + ": N must satisfy 1 <= N < M");
        }
        if (n > MAX_N) {
            throw new IllegalArgumentException("N:M pattern " + n + ":" + m + ": N above " + MAX_N
                    + " is not supported (the exact subset probability costs 2^N per group)");
        }
        this.n = n;
        this.m = m;
    }

    public static NmPattern of(int n, int m) {
        return new NmPattern(n, m);
    }

    /** Parses "2:4"; the message of a bad string says what a good one looks like. */
    public static NmPattern parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("N:M pattern is missing: expected text like \"2:4\"");
        }
        Matcher matcher = TEXT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Malformed N:M pattern \"" + text + "\": expected text like \"2:4\"");
        }
        try {
            return new NmPattern(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Malformed N:M pattern \"" + text + "\": numbers out of range", e);
        }
    }

    public int n() {
        return n;
    }

    public int m() {
        return m;
    }

    /** Fraction of weights removed, e.g. 0.5 for 2:4. */
    public double sparsity() {
        return 1.0 - (double) n / m;
    }

    /** C(M, N): the number of distinct masks of one group. */
    public long combinations() {
        return Combinatorics.binomial(m, n);
    }

    /** Bits of one group's fixed-length code: ceil(log2 C(M,N)). */
    public int bitsPerGroup() {
        long c = combinations();
        return c <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(c - 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NmPattern other && other.n == n && other.m == m;
    }

    @Override
    public int hashCode() {
        return Objects.hash(n, m);
    }

    @Override
    public String toString() {
        return n + ":" + m;
    }
}
