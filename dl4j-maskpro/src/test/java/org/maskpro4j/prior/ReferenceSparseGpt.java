package org.maskpro4j.prior;

/**
 * SparseGPT N:M written independently in plain Java for cross-checking: explicit Cholesky, explicit inverse, and
 * the OBS loop WITHOUT lazy blocks (every update is applied to all later columns at once), which is algebraically
 * what the blocked version computes.
 */
final class ReferenceSparseGpt {
    final double[][] weights;
    final boolean[][] kept;

    ReferenceSparseGpt(double[][] w, double[][] hessian, int n, int m, double percentDamp) {
        int rows = w.length;
        int k = w[0].length;
        double[][] h = new double[k][];
        for (int i = 0; i < k; i++) {
            h[i] = hessian[i].clone();
        }
        weights = new double[rows][];
        for (int r = 0; r < rows; r++) {
            weights[r] = w[r].clone();
        }
        for (int j = 0; j < k; j++) {
            if (h[j][j] == 0) {
                h[j][j] = 1;
                for (int r = 0; r < rows; r++) {
                    weights[r][j] = 0;
                }
            }
        }
        double mean = 0;
        for (int j = 0; j < k; j++) {
            mean += h[j][j] / k;
        }
        for (int j = 0; j < k; j++) {
            h[j][j] += percentDamp * mean;
        }
        double[][] u = Matrices.transpose(lowerCholesky(inverse(h))); // H⁻¹ = L·Lᵀ = Uᵀ·U
        kept = new boolean[rows][k];
        for (int i = 0; i < k; i++) {
            if (i % m == 0) {
                for (int r = 0; r < rows; r++) {
                    chooseKept(r, i, n, m, u);
                }
            }
            for (int r = 0; r < rows; r++) {
                double q = kept[r][i] ? weights[r][i] : 0.0;
                double err = (weights[r][i] - q) / u[i][i];
                for (int j = i; j < k; j++) {
                    weights[r][j] -= err * u[i][j];
                }
                weights[r][i] = q;
            }
        }
    }

    private void chooseKept(int r, int start, int n, int m, double[][] u) {
        // keep the n largest w²/U_jj² (ties to the lower index)
        for (int keptCount = 0; keptCount < n; keptCount++) {
            int best = -1;
            double bestScore = -1;
            for (int j = start; j < start + m; j++) {
                double s = weights[r][j] * weights[r][j] / (u[j][j] * u[j][j]);
                if (!kept[r][j] && s > bestScore) {
                    best = j;
                    bestScore = s;
                }
            }
            kept[r][best] = true;
        }
    }

    static double[][] lowerCholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int p = 0; p < j; p++) {
                    s -= l[i][p] * l[j][p];
                }
                l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
            }
        }
        return l;
    }

    /** Inverse of an SPD matrix by two triangular solves per unit vector. */
    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] l = lowerCholesky(a);
        double[][] inv = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double s = i == c ? 1 : 0;
                for (int p = 0; p < i; p++) {
                    s -= l[i][p] * y[p];
                }
                y[i] = s / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = y[i];
                for (int p = i + 1; p < n; p++) {
                    s -= l[p][i] * inv[p][c];
                }
                inv[i][c] = s / l[i][i];
            }
        }
        return inv;
    }
}
