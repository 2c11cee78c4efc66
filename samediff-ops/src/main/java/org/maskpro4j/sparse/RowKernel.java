package org.maskpro4j.sparse;

/** Computes rows {@code [rowFrom, rowTo)} of {@code y = W · x}, x {@code [cols, batch]}, y {@code [rows, batch]}. */
interface RowKernel {
    void multiply(NmMatrix w, float[] x, int batch, float[] y, int rowFrom, int rowTo);
}
