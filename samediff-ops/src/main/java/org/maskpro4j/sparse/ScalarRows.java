package org.maskpro4j.sparse;

/**
 * The plain-Java kernel over a range of output rows: {@code y[r, b] = Σ_c W[r, c] · x[c, b]} with x feature-major
 * ({@code [cols, batch]}) so that one kept weight scales one contiguous run of {@code batch} inputs, a loop the JIT
 * vectorises. 2:4 at batch 1 has its own loop: positions decode with shifts, four per byte.
 */
final class ScalarRows implements RowKernel {

    @Override
    public void multiply(NmMatrix w, float[] x, int batch, float[] y, int rowFrom, int rowTo) {
        multiplyScalar(w, x, batch, y, rowFrom, rowTo);
    }

    static void multiplyScalar(NmMatrix w, float[] x, int batch, float[] y, int rowFrom, int rowTo) {
        if (batch == 1 && w.pattern().n() == 2 && w.pattern().m() == 4) {
            twoFourSingle(w, x, y, rowFrom, rowTo);
            return;
        }
        float[] values = w.values();
        RowPositions.forEachRow(w, rowFrom, rowTo, (r, columns, v0) -> {
            if (batch == 1) {
                y[r] = dot(values, v0, columns, x);
            } else {
                batchColumns(values, v0, columns, x, batch, y, r * batch, 0);
            }
        });
    }

    /**
     * Rows times the batch columns from {@code from} on, four at a time in locals (the JIT keeps them in registers;
     * accumulating into {@code y} instead measured 3x slower).
     */
    static void batchColumns(float[] values, int v0, int[] columns, float[] x, int batch, float[] y, int y0, int from) {
        int b = from;
        for (; b + 4 <= batch; b += 4) {
            float a0 = 0;
            float a1 = 0;
            float a2 = 0;
            float a3 = 0;
            for (int k = 0; k < columns.length; k++) {
                float v = values[v0 + k];
                int x0 = columns[k] * batch + b;
                a0 += v * x[x0];
                a1 += v * x[x0 + 1];
                a2 += v * x[x0 + 2];
                a3 += v * x[x0 + 3];
            }
            y[y0 + b] = a0;
            y[y0 + b + 1] = a1;
            y[y0 + b + 2] = a2;
            y[y0 + b + 3] = a3;
        }
        for (; b < batch; b++) {
            float acc = 0;
            for (int k = 0; k < columns.length; k++) {
                acc += values[v0 + k] * x[columns[k] * batch + b];
            }
            y[y0 + b] = acc;
        }
    }

    private static float dot(float[] values, int v0, int[] columns, float[] x) {
        float a0 = 0;
        float a1 = 0;
        int k = 0;
        for (; k + 1 < columns.length; k += 2) {
            a0 += values[v0 + k] * x[columns[k]];
            a1 += values[v0 + k + 1] * x[columns[k + 1]];
        }
        if (k < columns.length) {
            a0 += values[v0 + k] * x[columns[k]];
        }
        return a0 + a1;
    }

    /** 2:4, batch 1: one byte holds the four positions of two groups (8 columns). */
    private static void twoFourSingle(NmMatrix w, float[] x, float[] y, int rowFrom, int rowTo) {
        float[] values = w.values();
        byte[] positions = w.positions();
        int cols = w.cols();
        int groups = cols / 4;
        int rowBytes = w.rowPositionBytes();
        for (int r = rowFrom; r < rowTo; r++) {
            int v = r * groups * 2;
            int p = r * rowBytes;
            float acc0 = 0;
            float acc1 = 0;
            float acc2 = 0;
            float acc3 = 0;
            int pairs = groups / 2;
            for (int j = 0; j < pairs; j++, v += 4) {
                int bits = positions[p + j];
                int base = j * 8;
                // four independent sums: one chain of dependent adds would bound the loop at the add latency
                acc0 += values[v] * x[base + (bits & 3)];
                acc1 += values[v + 1] * x[base + (bits >>> 2 & 3)];
                acc2 += values[v + 2] * x[base + 4 + (bits >>> 4 & 3)];
                acc3 += values[v + 3] * x[base + 4 + (bits >>> 6 & 3)];
            }
            if (groups % 2 != 0) {
                int bits = positions[p + pairs];
                int base = pairs * 8;
                acc0 += values[v] * x[base + (bits & 3)];
                acc1 += values[v + 1] * x[base + (bits >>> 2 & 3)];
            }
            y[r] = (acc0 + acc1) + (acc2 + acc3);
        }
    }
}
