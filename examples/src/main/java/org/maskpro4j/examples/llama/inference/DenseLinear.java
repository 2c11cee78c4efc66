package org.maskpro4j.examples.llama.inference;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The baseline: ND4J's dense product (OpenBLAS gemv) on the fp32 matrix. Not thread-safe (reused buffers). */
public final class DenseLinear implements Linear {
    private final INDArray weight;
    private final INDArray input;
    private final INDArray output;

    public DenseLinear(INDArray outIn) {
        if (outIn.rank() != 2) {
            throw new IllegalArgumentException("A linear weight is [out, in], got rank " + outIn.rank());
        }
        this.weight = outIn.castTo(DataType.FLOAT).dup('c');
        this.input = Nd4j.create(DataType.FLOAT, weight.size(1), 1);
        this.output = Nd4j.create(DataType.FLOAT, weight.size(0), 1);
    }

    @Override
    public int rows() {
        return (int) weight.size(0);
    }

    @Override
    public int cols() {
        return (int) weight.size(1);
    }

    @Override
    public void multiply(float[] x, float[] out) {
        input.data().setData(x);
        weight.mmuli(input, output);
        System.arraycopy(output.data().asFloat(), 0, out, 0, out.length);
    }

    @Override
    public long bytes() {
        return weight.length() * Float.BYTES;
    }
}
