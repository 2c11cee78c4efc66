package org.maskpro4j.examples.llama.inference;

import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;

/** A compressed N:M matrix on the N:M kernel. */
public final class NmLinear implements Linear {
    private final NmMatrix weight;
    private final NmKernel kernel;

    public NmLinear(NmMatrix weight, NmKernel kernel) {
        this.weight = weight;
        this.kernel = kernel;
    }

    @Override
    public int rows() {
        return weight.rows();
    }

    @Override
    public int cols() {
        return weight.cols();
    }

    @Override
    public void multiply(float[] x, float[] out) {
        kernel.multiply(weight, x, 1, out);
    }

    @Override
    public long bytes() {
        return weight.bytes();
    }
}
