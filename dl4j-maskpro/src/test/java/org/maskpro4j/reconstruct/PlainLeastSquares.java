package org.maskpro4j.reconstruct;

/**
 * Masked least squares in plain Java, independent of ND4J: for every output j, the kept inputs S_j solve the normal
 * equations {@code (X_Sᵀ X_S) w_S = X_Sᵀ X w_j} by Gaussian elimination with partial pivoting.
 */
final class PlainLeastSquares {
    private PlainLeastSquares() {
    }

    /**
     * @param x    calibration inputs {@code [n, in]}
     * @param w    dense weights {@code [in, out]}
     * @param keep 0/1 {@code [in, out]}
     */
    static double[][] fit(double[][] x, double[][] w, double[][] keep) {
        int in = w.length;
        int out = w[0].length;
        double[][] fitted = new double[in][out];
        for (int j = 0; j < out; j++) {
            int[] support = support(keep, j);
            int s = support.length;
            double[][] a = new double[s][s + 1];
            for (double[] row : x) {
                double target = 0;
                for (int i = 0; i < in; i++) {
                    target += row[i] * w[i][j];
                }
                for (int p = 0; p < s; p++) {
                    for (int q = 0; q < s; q++) {
                        a[p][q] += row[support[p]] * row[support[q]];
                    }
                    a[p][s] += row[support[p]] * target;
                }
            }
            double[] solution = solve(a);
            for (int p = 0; p < s; p++) {
                fitted[support[p]][j] = solution[p];
            }
        }
        return fitted;
    }

    static double outputError(double[][] x, double[][] dense, double[][] pruned) {
        double sum = 0;
        for (double[] row : x) {
            for (int j = 0; j < dense[0].length; j++) {
                double d = 0;
                for (int i = 0; i < dense.length; i++) {
                    d += row[i] * (pruned[i][j] - dense[i][j]);
                }
                sum += d * d;
            }
        }
        return sum;
    }

    static double[][] times(double[][] a, double[][] b) {
        double[][] c = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                c[i][j] = a[i][j] * b[i][j];
            }
        }
        return c;
    }

    private static int[] support(double[][] keep, int column) {
        return java.util.stream.IntStream.range(0, keep.length).filter(i -> keep[i][column] != 0).toArray();
    }

    /** Solves the augmented system {@code [A | b]} in place. */
    private static double[] solve(double[][] a) {
        int n = a.length;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = a[c];
            a[c] = a[pivot];
            a[pivot] = t;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double v = a[r][n];
            for (int k = r + 1; k < n; k++) {
                v -= a[r][k] * x[k];
            }
            x[r] = v / a[r][r];
        }
        return x;
    }
}
