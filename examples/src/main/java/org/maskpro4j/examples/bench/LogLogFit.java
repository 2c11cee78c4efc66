package org.maskpro4j.examples.bench;

/**
 * A least-squares line through (ln x, ln y): y ≈ e^intercept · x^slope. The slope is how a cost grows with size (1:
 * in proportion; below 1: fixed costs still weigh; above 1: worse than linear).
 *
 * @param slope     exponent of x
 * @param intercept ln of the fitted y at x = 1
 * @param r2        share of the variance of ln y the line explains (1 for points exactly on it)
 * @param points    how many points it was fitted to
 */
public record LogLogFit(double slope, double intercept, double r2, int points) {

    /** Fits y = a·x^b to at least two points with positive coordinates and at least two distinct x. */
    public static LogLogFit of(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("A log-log fit needs at least two (x, y) pairs of equal count, got "
                    + x.length + " x and " + y.length + " y");
        }
        int n = x.length;
        double[] lx = new double[n];
        double[] ly = new double[n];
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            if (!(x[i] > 0) || !(y[i] > 0) || Double.isInfinite(x[i]) || Double.isInfinite(y[i])) {
                throw new IllegalArgumentException("A log-log fit needs positive finite values, got (" + x[i] + ", " + y[i] + ")");
            }
            lx[i] = Math.log(x[i]);
            ly[i] = Math.log(y[i]);
            mx += lx[i] / n;
            my += ly[i] / n;
        }
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (lx[i] - mx) * (lx[i] - mx);
            sxy += (lx[i] - mx) * (ly[i] - my);
            syy += (ly[i] - my) * (ly[i] - my);
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("A log-log fit needs at least two distinct x values");
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
        return new LogLogFit(slope, intercept, r2, n);
    }

    /** The fitted y at x. */
    public double predict(double x) {
        return Math.exp(intercept + slope * Math.log(x));
    }
}
