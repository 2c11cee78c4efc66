package org.maskpro4j.sparse;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The JDK Vector API kernel for batches of 4 and more: it keeps up to four vectors of one output row's batch in
 * registers while streaming the row's kept weights once. Batch 1 and the last columns of a batch that is not a
 * multiple of the vector width run the plain-Java loops: gathering inputs with the Vector API measured 2-3x slower
 * than the scalar loop at batch 1 (JDK 17). Loaded only when the {@code jdk.incubator.vector} module is present
 * ({@link NmKernel} checks before touching this class).
 */
final class VectorRows implements RowKernel {
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    private static final boolean WIDE = FloatVector.SPECIES_PREFERRED.length() >= S512.length();

    @Override
    public void multiply(NmMatrix w, float[] x, int batch, float[] y, int rowFrom, int rowTo) {
        if (batch < S128.length()) {
            ScalarRows.multiplyScalar(w, x, batch, y, rowFrom, rowTo);
            return;
        }
        float[] values = w.values();
        RowPositions.forEachRow(w, rowFrom, rowTo, (r, columns, v0) -> {
            int y0 = r * batch;
            int b = 0;
            if (WIDE) {
                for (; b + 4 * S512.length() <= batch; b += 4 * S512.length()) {
                    fourVectors(values, v0, columns, x, batch, y, y0 + b, b);
                }
                for (; b + S512.length() <= batch; b += S512.length()) {
                    oneVector512(values, v0, columns, x, batch, y, y0 + b, b);
                }
            }
            for (; b + S256.length() <= batch; b += S256.length()) {
                oneVector256(values, v0, columns, x, batch, y, y0 + b, b);
            }
            for (; b + S128.length() <= batch; b += S128.length()) {
                oneVector128(values, v0, columns, x, batch, y, y0 + b, b);
            }
            ScalarRows.batchColumns(values, v0, columns, x, batch, y, y0, b);
        });
    }

    private static void fourVectors(float[] values, int v0, int[] columns, float[] x, int batch, float[] y, int out, int b) {
        int lanes = S512.length();
        FloatVector a0 = FloatVector.zero(S512);
        FloatVector a1 = FloatVector.zero(S512);
        FloatVector a2 = FloatVector.zero(S512);
        FloatVector a3 = FloatVector.zero(S512);
        for (int k = 0; k < columns.length; k++) {
            FloatVector v = FloatVector.broadcast(S512, values[v0 + k]);
            int x0 = columns[k] * batch + b;
            a0 = FloatVector.fromArray(S512, x, x0).fma(v, a0);
            a1 = FloatVector.fromArray(S512, x, x0 + lanes).fma(v, a1);
            a2 = FloatVector.fromArray(S512, x, x0 + 2 * lanes).fma(v, a2);
            a3 = FloatVector.fromArray(S512, x, x0 + 3 * lanes).fma(v, a3);
        }
        a0.intoArray(y, out);
        a1.intoArray(y, out + lanes);
        a2.intoArray(y, out + 2 * lanes);
        a3.intoArray(y, out + 3 * lanes);
    }

    // One method per species: a species passed as an argument is not a compile-time constant and measured 30x slower.
    // Four accumulators over consecutive kept weights: a single one chains every FMA on the previous (4-cycle latency).

    private static void oneVector512(float[] values, int v0, int[] columns, float[] x, int batch, float[] y, int out, int b) {
        FloatVector a0 = FloatVector.zero(S512);
        FloatVector a1 = FloatVector.zero(S512);
        FloatVector a2 = FloatVector.zero(S512);
        FloatVector a3 = FloatVector.zero(S512);
        int k = 0;
        for (; k + 4 <= columns.length; k += 4) {
            a0 = FloatVector.fromArray(S512, x, columns[k] * batch + b).fma(FloatVector.broadcast(S512, values[v0 + k]), a0);
            a1 = FloatVector.fromArray(S512, x, columns[k + 1] * batch + b).fma(FloatVector.broadcast(S512, values[v0 + k + 1]), a1);
            a2 = FloatVector.fromArray(S512, x, columns[k + 2] * batch + b).fma(FloatVector.broadcast(S512, values[v0 + k + 2]), a2);
            a3 = FloatVector.fromArray(S512, x, columns[k + 3] * batch + b).fma(FloatVector.broadcast(S512, values[v0 + k + 3]), a3);
        }
        for (; k < columns.length; k++) {
            a0 = FloatVector.fromArray(S512, x, columns[k] * batch + b).fma(FloatVector.broadcast(S512, values[v0 + k]), a0);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(y, out);
    }

    private static void oneVector256(float[] values, int v0, int[] columns, float[] x, int batch, float[] y, int out, int b) {
        FloatVector a0 = FloatVector.zero(S256);
        FloatVector a1 = FloatVector.zero(S256);
        FloatVector a2 = FloatVector.zero(S256);
        FloatVector a3 = FloatVector.zero(S256);
        int k = 0;
        for (; k + 4 <= columns.length; k += 4) {
            a0 = FloatVector.fromArray(S256, x, columns[k] * batch + b).fma(FloatVector.broadcast(S256, values[v0 + k]), a0);
            a1 = FloatVector.fromArray(S256, x, columns[k + 1] * batch + b).fma(FloatVector.broadcast(S256, values[v0 + k + 1]), a1);
            a2 = FloatVector.fromArray(S256, x, columns[k + 2] * batch + b).fma(FloatVector.broadcast(S256, values[v0 + k + 2]), a2);
            a3 = FloatVector.fromArray(S256, x, columns[k + 3] * batch + b).fma(FloatVector.broadcast(S256, values[v0 + k + 3]), a3);
        }
        for (; k < columns.length; k++) {
            a0 = FloatVector.fromArray(S256, x, columns[k] * batch + b).fma(FloatVector.broadcast(S256, values[v0 + k]), a0);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(y, out);
    }

    private static void oneVector128(float[] values, int v0, int[] columns, float[] x, int batch, float[] y, int out, int b) {
        FloatVector a0 = FloatVector.zero(S128);
        FloatVector a1 = FloatVector.zero(S128);
        FloatVector a2 = FloatVector.zero(S128);
        FloatVector a3 = FloatVector.zero(S128);
        int k = 0;
        for (; k + 4 <= columns.length; k += 4) {
            a0 = FloatVector.fromArray(S128, x, columns[k] * batch + b).fma(FloatVector.broadcast(S128, values[v0 + k]), a0);
            a1 = FloatVector.fromArray(S128, x, columns[k + 1] * batch + b).fma(FloatVector.broadcast(S128, values[v0 + k + 1]), a1);
            a2 = FloatVector.fromArray(S128, x, columns[k + 2] * batch + b).fma(FloatVector.broadcast(S128, values[v0 + k + 2]), a2);
            a3 = FloatVector.fromArray(S128, x, columns[k + 3] * batch + b).fma(FloatVector.broadcast(S128, values[v0 + k + 3]), a3);
        }
        for (; k < columns.length; k++) {
            a0 = FloatVector.fromArray(S128, x, columns[k] * batch + b).fma(FloatVector.broadcast(S128, values[v0 + k]), a0);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(y, out);
    }
}
