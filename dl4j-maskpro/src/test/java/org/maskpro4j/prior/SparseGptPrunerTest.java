package org.maskpro4j.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;

class SparseGptPrunerTest {

    private static double[][] hessianOf(double[][] x) {
        double[][] h = Matrices.multiply(Matrices.transpose(x), x);
        for (double[] row : h) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= 2.0 / x.length;
            }
        }
        return h;
    }

    private static void assertMatchesReference(double[][] w, double[][] x, NmPattern pattern, int blockSize) {
        double[][] h = hessianOf(x);
        SparseGptPruner.Result result = SparseGptPruner.builder().blockSize(blockSize).build()
                .prune("tiny", Matrices.nd(w), Matrices.nd(h), pattern);
        ReferenceSparseGpt reference = new ReferenceSparseGpt(w, h, pattern.n(), pattern.m(), 0.01);

        int k = w[0].length;
        INDArray mask = result.mask();
        assertEquals(w.length * k / pattern.m(), mask.size(0));
        for (int r = 0; r < w.length; r++) {
            for (int j = 0; j < k; j++) {
                double expected = reference.kept[r][j] ? 1.0 : 0.0;
                assertEquals(expected, mask.getDouble((r * k + j) / pattern.m(), j % pattern.m()), 0.0,
                        "mask at row " + r + " column " + j);
            }
        }
        double[][] updated = Matrices.plain(result.updatedRows().orElseThrow());
        assertTrue(Matrices.maxAbsDifference(reference.weights, updated) < 1e-9,
                "max difference " + Matrices.maxAbsDifference(reference.weights, updated));
    }

    @Test
    void blockedPrunerEqualsPlainReferenceOnTinyLayer() {
        Random random = new Random(11);
        double[][] w = Matrices.gaussian(random, 6, 16);
        double[][] x = Matrices.gaussian(random, 64, 16);
        assertMatchesReference(w, x, NmPattern.of(2, 4), 8);
    }

    @Test
    void deadInputColumnsAndOtherPatternsMatchReference() {
        Random random = new Random(12);
        double[][] w = Matrices.gaussian(random, 5, 24);
        double[][] x = Matrices.gaussian(random, 64, 24);
        for (double[] row : x) {
            row[3] = 0; // a column no calibration sample touches
        }
        assertMatchesReference(w, x, NmPattern.of(2, 4), 8);
        assertMatchesReference(w, x, NmPattern.of(1, 4), 12);
        assertMatchesReference(Matrices.gaussian(random, 4, 32), Matrices.gaussian(random, 64, 32), NmPattern.of(4, 8), 16);
    }

    @Test
    void maskOnlyGivesTheSameMaskWithoutWeights() {
        Random random = new Random(13);
        INDArray w = Matrices.nd(Matrices.gaussian(random, 6, 16));
        INDArray h = Matrices.nd(hessianOf(Matrices.gaussian(random, 64, 16)));
        NmPattern pattern = NmPattern.of(2, 4);
        SparseGptPruner.Result full = SparseGptPruner.builder().blockSize(8).build().prune("w", w, h, pattern);
        SparseGptPruner.Result maskOnly = SparseGptPruner.builder().blockSize(8).updateWeights(false).build()
                .prune("w", w, h, pattern);
        assertEquals(full.mask(), maskOnly.mask());
        assertFalse(maskOnly.updatedRows().isPresent());
    }

    @Test
    void blockSizeMustBeAMultipleOfM() {
        INDArray w = Matrices.nd(Matrices.gaussian(new Random(1), 2, 16));
        INDArray h = Matrices.nd(hessianOf(Matrices.gaussian(new Random(2), 20, 16)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseGptPruner.builder().blockSize(6).build().prune("attn.wo", w, h, NmPattern.of(2, 4)));
        assertTrue(e.getMessage().contains("'attn.wo'") && e.getMessage().contains("block size 6"), e.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> SparseGptPruner.builder().build().prune("attn.wo", w, h.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8)), NmPattern.of(2, 4)));
        assertTrue(shape.getMessage().contains("'attn.wo'") && shape.getMessage().contains("[8, 8]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparseGptPruner.builder().dampening(Double.NaN).build());
    }

    @Test
    void singularHessianWithoutDampeningNamesTheWeight() {
        Random random = new Random(5);
        double[][] x = Matrices.gaussian(random, 64, 8);
        for (double[] row : x) {
            row[5] = row[4]; // two identical input columns: H is singular
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseGptPruner.builder().dampening(0).build().prune("mlp.w1",
                        Matrices.nd(Matrices.gaussian(random, 3, 8)), Matrices.nd(hessianOf(x)), NmPattern.of(2, 4)));
        assertTrue(e.getMessage().contains("'mlp.w1'") && e.getMessage().contains("dampening"), e.getMessage());
    }
}
