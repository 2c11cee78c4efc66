package org.maskpro4j.examples.llama.inference;

/** One {@code [out, in]} weight matrix applied to a single activation vector: {@code out = W · x}. */
public interface Linear {
    int rows();

    int cols();

    void multiply(float[] x, float[] out);

    /** Bytes the weights are held in. */
    long bytes();
}
