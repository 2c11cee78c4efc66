package org.maskpro4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Small seeded data and mask helpers shared by the layer and export tests. */
public final class TestNets {
    public static final NmPattern P24 = NmPattern.of(2, 4);

    private TestNets() {
    }

    /** Gaussian features and one-hot labels of a fixed random linear rule, so that fitting has something to learn. */
    public static DataSet classification(long seed, int rows, long[] featureShape, int classes) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape = new long[featureShape.length + 1];
        shape[0] = rows;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        INDArray x = Nd4j.randn(DataType.FLOAT, shape);
        INDArray flat = x.reshape(rows, x.length() / rows);
        INDArray rule = Nd4j.randn(DataType.FLOAT, flat.size(1), classes);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, classes);
        INDArray argmax = flat.mmul(rule).argMax(1);
        for (int r = 0; r < rows; r++) {
            labels.putScalar(r, argmax.getInt(r), 1f);
        }
        return new DataSet(x, labels);
    }

    /** A seeded random strict N:M mask for the given MaskPro layer, applied through its {@link WrapperWeight}. */
    public static WrapperWeight applyRandomMask(String name, Layer layer, long seed) {
        WrapperWeight weight = WrapperWeight.of(name, layer);
        Nd4j.getRandom().setSeed(seed);
        INDArray scores = Nd4j.rand(DataType.FLOAT, weight.layout().groupCount(), weight.layout().pattern().m());
        weight.applyMask(TopN.mask(scores, weight.layout().pattern()));
        return weight;
    }

    /** Exact float contents, for bit-identity checks. */
    public static float[] bits(INDArray array) {
        return array.dup('c').data().asFloat();
    }
}
