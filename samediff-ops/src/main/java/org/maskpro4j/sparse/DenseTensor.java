package org.maskpro4j.sparse;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense fp32 tensor kept beside the N:M matrices of a compressed model (biases, norms, embeddings, layers that
 * stay dense), row-major.
 */
public record DenseTensor(long[] shape, float[] values) {
    public static final int MAX_RANK = 8;

    public DenseTensor {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("Tensor of rank " + shape.length + ": at most " + MAX_RANK + " dimensions");
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Tensor shape " + Arrays.toString(shape) + " has a dimension outside 0.."
                        + Integer.MAX_VALUE);
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Tensor shape " + Arrays.toString(shape) + " holds more values than one"
                        + " Java array");
            }
        }
        if (values.length != count) {
            throw new IllegalArgumentException("Tensor shape " + Arrays.toString(shape) + " needs " + count + " values, got "
                    + values.length);
        }
        shape = shape.clone();
    }

    /** A row-major FLOAT copy of any array. */
    public static DenseTensor of(INDArray array) {
        return new DenseTensor(array.shape(), array.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    public INDArray toArray() {
        return Nd4j.create(values.clone(), shape, 'c');
    }

    public long bytes() {
        return (long) values.length * Float.BYTES;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseTensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "DenseTensor " + Arrays.toString(shape);
    }
}
