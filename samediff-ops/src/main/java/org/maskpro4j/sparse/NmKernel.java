package org.maskpro4j.sparse;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = W · x} on an {@link NmMatrix}, multi-threaded over output rows. Each row is summed by one thread in
 * a fixed order, so the result does not depend on the thread count.
 *
 * <p>The Vector API kernel is used when the JVM runs with {@code --add-modules jdk.incubator.vector}; without the
 * module the plain-Java kernel computes the same products (to float rounding).
 */
public final class NmKernel {
    /** System property that forces the plain-Java kernel ({@code -Dmaskpro.kernel=scalar}). */
    public static final String KERNEL_PROPERTY = "maskpro.kernel";
    /** Below this many multiply-adds a call stays on the caller's thread: forking would cost more. */
    private static final long SERIAL_WORK = 1 << 16;
    private static final int MIN_ROWS_PER_TASK = 16;

    /** Which implementation computes the rows. */
    public enum Implementation {
        SCALAR, VECTOR
    }

    private final Implementation implementation;
    private final RowKernel rows;
    private final ForkJoinPool pool;
    private final int threads;

    private NmKernel(Implementation implementation, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.implementation = implementation;
        this.rows = implementation == Implementation.VECTOR ? VectorHolder.KERNEL : new ScalarRows();
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** True when the Vector API module is in the boot layer (the JVM was started with it). */
    public static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API kernel when available (and not switched off by {@value #KERNEL_PROPERTY}), else plain Java. */
    public static NmKernel best(int threads) {
        boolean scalarForced = "scalar".equalsIgnoreCase(System.getProperty(KERNEL_PROPERTY));
        return of(vectorAvailable() && !scalarForced ? Implementation.VECTOR : Implementation.SCALAR, threads);
    }

    /** {@link #best(int)} on all processors. */
    public static NmKernel best() {
        return best(Runtime.getRuntime().availableProcessors());
    }

    /** @throws IllegalStateException for VECTOR when the JVM lacks {@code --add-modules jdk.incubator.vector} */
    public static NmKernel of(Implementation implementation, int threads) {
        if (implementation == Implementation.VECTOR && !vectorAvailable()) {
            throw new IllegalStateException("The Vector API kernel needs the JVM option --add-modules jdk.incubator.vector");
        }
        return new NmKernel(implementation, threads);
    }

    public Implementation implementation() {
        return implementation;
    }

    public int threads() {
        return threads;
    }

    /**
     * @param x feature-major inputs {@code [cols, batch]}, row-major
     * @param y receives the outputs {@code [rows, batch]}, row-major
     */
    public void multiply(NmMatrix w, float[] x, int batch, float[] y) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        if (x.length != (long) w.cols() * batch || y.length != (long) w.rows() * batch) {
            throw new IllegalArgumentException(w + " times a batch of " + batch + " needs x of " + (long) w.cols() * batch
                    + " and y of " + (long) w.rows() * batch + " floats, got " + x.length + " and " + y.length);
        }
        long work = (long) w.values().length * batch;
        if (pool == null || work < SERIAL_WORK) {
            rows.multiply(w, x, batch, y, 0, w.rows());
            return;
        }
        int grain = Math.max(MIN_ROWS_PER_TASK, w.rows() / (threads * 8));
        pool.invoke(new Rows(w, x, batch, y, 0, w.rows(), grain));
    }

    /**
     * @param xBatchMajor inputs {@code [batch, cols]} as DL4J layers see them, row-major
     * @return outputs {@code [batch, rows]}, row-major
     */
    public float[] multiplyBatchMajor(NmMatrix w, float[] xBatchMajor, int batch) {
        float[] y = new float[Math.toIntExact((long) w.rows() * batch)];
        multiply(w, batch == 1 ? xBatchMajor : transpose(xBatchMajor, batch, w.cols()), batch, y);
        return batch == 1 ? y : transpose(y, w.rows(), batch);
    }

    /** {@code x · Wᵀ} for x {@code [batch, cols]} of any type: a FLOAT {@code [batch, rows]} array. */
    public INDArray multiplyBatchMajor(NmMatrix w, INDArray x) {
        if (x.rank() != 2 || x.size(1) != w.cols()) {
            throw new IllegalArgumentException(w + " cannot multiply an input of shape " + Arrays.toString(x.shape())
                    + ": expected [batch, " + w.cols() + "]");
        }
        int batch = Math.toIntExact(x.size(0));
        float[] input = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return Nd4j.create(multiplyBatchMajor(w, input, batch), new long[] {batch, w.rows()}, 'c');
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    /** Lazily resolved so that VectorRows is never loaded without its module. */
    private static final class VectorHolder {
        static final RowKernel KERNEL = new VectorRows();
    }

    /** Splits a row range in halves down to {@code grain} rows. */
    private final class Rows extends RecursiveAction {
        private final NmMatrix w;
        private final float[] x;
        private final int batch;
        private final float[] y;
        private final int from;
        private final int to;
        private final int grain;

        Rows(NmMatrix w, float[] x, int batch, float[] y, int from, int to, int grain) {
            this.w = w;
            this.x = x;
            this.batch = batch;
            this.y = y;
            this.from = from;
            this.to = to;
            this.grain = grain;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                rows.multiply(w, x, batch, y, from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Rows(w, x, batch, y, from, mid, grain), new Rows(w, x, batch, y, mid, to, grain));
        }
    }
}
