package org.maskpro4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Both kernels equal ND4J's dense product of the masked matrix, at every batch size and thread count. */
class NmKernelTest {

    @ParameterizedTest
    @CsvSource({"2:4, 300, 512", "2:4, 301, 516", "4:8, 129, 256", "1:4, 64, 128", "8:16, 70, 160", "3:5, 33, 95"})
    void equalsTheDenseMaskedProduct(String text, int rows, int cols) {
        NmPattern p = NmPattern.parse(text);
        float[] dense = RandomNm.dense(rows, cols, p, rows);
        NmMatrix w = NmMatrix.compress("w", dense, rows, cols, p);
        INDArray denseW = Nd4j.create(dense, new long[] {rows, cols}, 'c');
        Random rng = new Random(cols);
        for (int batch : new int[] {1, 3, 4, 8, 16, 17, 64}) {
            float[] x = new float[cols * batch];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            float[] expected = denseW.mmul(Nd4j.create(x, new long[] {cols, batch}, 'c')).dup('c').data().asFloat();
            float[] serial = null;
            for (NmKernel kernel : kernels()) {
                float[] y = new float[rows * batch];
                kernel.multiply(w, x, batch, y);
                assertArrayEquals(expected, y, 1e-4f * (float) Math.sqrt(cols),
                        text + " batch " + batch + " " + kernel.implementation() + " x" + kernel.threads());
                if (kernel.threads() == 1) {
                    serial = y;
                } else {
                    assertArrayEquals(serial, y, 0f, "thread count changes nothing, bit for bit");
                }
            }
        }
    }

    @Test
    void batchMajorInputGivesTheLayerProduct() {
        NmPattern p = NmPattern.parse("2:4");
        float[] dense = RandomNm.dense(40, 64, p, 5);
        NmMatrix w = NmMatrix.compress("w", dense, 40, 64, p);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 6, 64);
        INDArray expected = x.mmul(w.toDenseArray().transpose());
        INDArray y = NmKernel.best(2).multiplyBatchMajor(w, x);
        assertEquals(expected.shapeInfoToString(), y.shapeInfoToString());
        assertTrue(expected.equalsWithEps(y, 1e-4), "x · Wᵀ");
    }

    @Test
    void vectorKernelIsAvailableUnderTheBuildsJvmOptions() {
        // surefire's argLine adds jdk.incubator.vector: without it this suite would only test the scalar kernel
        assertTrue(NmKernel.vectorAvailable(), "run with --add-modules jdk.incubator.vector");
        assertEquals(NmKernel.Implementation.VECTOR, NmKernel.best(1).implementation());
    }

    private static NmKernel[] kernels() {
        return new NmKernel[] {NmKernel.of(NmKernel.Implementation.SCALAR, 1), NmKernel.of(NmKernel.Implementation.SCALAR, 2),
                NmKernel.of(NmKernel.Implementation.VECTOR, 1), NmKernel.of(NmKernel.Implementation.VECTOR, 2)};
    }
}
