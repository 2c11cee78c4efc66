package org.maskpro4j.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class InputStatisticsTest {

    @Test
    void streamingBatchesGiveTheHessianAndNormsOfAllRows() {
        double[][] x = Matrices.gaussian(new Random(3), 50, 8);
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) row[j]; // exact in a FLOAT batch too
            }
        }
        INDArray all = Matrices.nd(x);
        InputStatistics stats = InputStatistics.withHessian("fc1", 8);
        // a FLOAT batch and a strided view, as models hand them over
        stats.add(all.get(NDArrayIndex.interval(0, 20), NDArrayIndex.all()).castTo(DataType.FLOAT));
        stats.add(all.get(NDArrayIndex.interval(20, 50), NDArrayIndex.all()));
        assertEquals(50, stats.samples());

        double[][] expectedH = Matrices.multiply(Matrices.transpose(x), x);
        for (double[] row : expectedH) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= 2.0 / 50;
            }
        }
        assertTrue(Matrices.maxAbsDifference(expectedH, Matrices.plain(stats.hessian())) < 1e-12);
        INDArray norms = stats.columnNormsSquared();
        for (int j = 0; j < 8; j++) {
            double s = 0;
            for (double[] row : x) {
                s += row[j] * row[j];
            }
            assertEquals(s, norms.getDouble(j), 1e-12);
        }
        assertEquals(8L * (64 + 8), stats.bytes());
    }

    @Test
    void columnNormsOnlyKeepsNoGramMatrix() {
        InputStatistics stats = InputStatistics.columnNormsOnly("fc1", 8);
        stats.add(Nd4j.ones(DataType.FLOAT, 3, 8));
        assertFalse(stats.hasHessian());
        assertEquals(8L * 8, stats.bytes());
        assertEquals(3.0, stats.columnNormsSquared().getDouble(5), 0.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, stats::hessian);
        assertTrue(e.getMessage().contains("'fc1'") && e.getMessage().contains("withHessian"), e.getMessage());
    }

    @Test
    void wrongColumnCountNamesWeightAndShapes() {
        InputStatistics stats = InputStatistics.withHessian("layer2.W", 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stats.add(Nd4j.zeros(DataType.FLOAT, 4, 12)));
        assertTrue(e.getMessage().contains("'layer2.W'"), e.getMessage());
        assertTrue(e.getMessage().contains("[4, 12]") && e.getMessage().contains("[samples, 16]"), e.getMessage());
    }

    @Test
    void emptyBatchIsRejected() {
        InputStatistics stats = InputStatistics.columnNormsOnly("layer2.W", 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stats.add(Nd4j.create(DataType.FLOAT, 0, 16)));
        assertTrue(e.getMessage().contains("'layer2.W'") && e.getMessage().contains("empty"), e.getMessage());
        assertThrows(IllegalStateException.class, stats::columnNormsSquared);
    }

    @Test
    void nanOrInfinityIsRejectedBeforeAccumulating() {
        InputStatistics stats = InputStatistics.withHessian("attn.wq", 4);
        stats.add(Nd4j.ones(DataType.DOUBLE, 2, 4));
        INDArray nan = Nd4j.ones(DataType.FLOAT, 3, 4);
        nan.putScalar(1, 2, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stats.add(nan));
        assertTrue(e.getMessage().contains("'attn.wq'") && e.getMessage().contains("NaN"), e.getMessage());
        INDArray inf = Nd4j.ones(DataType.FLOAT, 3, 4);
        inf.putScalar(0, 0, Float.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> stats.add(inf));
        assertEquals(2, stats.samples());
        assertEquals(2.0 * 2 / 2, stats.hessian().getDouble(0, 3), 0.0);
    }
}
