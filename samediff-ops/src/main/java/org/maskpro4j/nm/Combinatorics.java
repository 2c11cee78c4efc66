package org.maskpro4j.nm;

/** Small exact binomials; M is at most 16, so everything fits a long. */
final class Combinatorics {
    private Combinatorics() {
    }

    public static long binomial(int n, int k) {
        if (k < 0 || n < 0 || k > n) {
            return 0;
        }
        long r = 1;
        for (int i = 1; i <= Math.min(k, n - k); i++) {
            r = r * (n - i + 1) / i;
        }
        return r;
    }
}
