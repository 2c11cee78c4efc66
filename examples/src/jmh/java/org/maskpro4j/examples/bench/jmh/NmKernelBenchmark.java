package org.maskpro4j.examples.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.maskpro4j.examples.bench.InferenceBenchmark;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code y = W · X} for one masked matrix: ND4J's dense {@code mmul} (OpenBLAS) against the N:M kernel on the
 * compressed matrix (the same cells as {@code maskpro bench --inference}, in JMH's harness). Run with
 * {@code java --add-modules jdk.incubator.vector -cp examples/target/maskpro.jar org.openjdk.jmh.Main NmKernelBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NmKernelBenchmark {
    @Param({"2:4"})
    public String pattern;

    @Param({"4096x4096", "4096x11008", "2048x768"})
    public String shape;

    @Param({"1", "4", "16", "64"})
    public int batch;

    private NmMatrix nm;
    private NmKernel kernel;
    private INDArray denseW;
    private INDArray denseX;
    private INDArray denseY;
    private float[] x;
    private float[] y;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int cols = Integer.parseInt(dims[1]);
        NmPattern p = NmPattern.parse(pattern);
        float[] dense = InferenceBenchmark.randomPruned(rows, cols, p, new SplittableRandom(1));
        nm = NmMatrix.compress(shape, dense, rows, cols, p);
        kernel = NmKernel.best();
        denseW = Nd4j.create(dense, new long[] {rows, cols}, 'c');
        denseX = Nd4j.rand(DataType.FLOAT, cols, batch);
        denseY = Nd4j.create(DataType.FLOAT, rows, batch);
        x = denseX.dup('c').data().asFloat();
        y = new float[rows * batch];
    }

    @Benchmark
    public INDArray nd4jDense() {
        return denseW.mmuli(denseX, denseY);
    }

    @Benchmark
    public float[] nmKernel() {
        kernel.multiply(nm, x, batch, y);
        return y;
    }
}
