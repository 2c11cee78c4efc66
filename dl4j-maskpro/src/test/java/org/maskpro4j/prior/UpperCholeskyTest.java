package org.maskpro4j.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class UpperCholeskyTest {

    private static double[][] spd(int n, long seed) {
        double[][] x = Matrices.gaussian(new Random(seed), 2 * n, n);
        return Matrices.multiply(Matrices.transpose(x), x);
    }

    private static void assertUpper(double[][] u) {
        for (int i = 0; i < u.length; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(0.0, u[i][j], 0.0, "below diagonal at " + i + "," + j);
            }
            assertTrue(u[i][i] > 0, "positive diagonal");
        }
    }

    @Test
    void factorReconstructsTheMatrix() {
        double[][] a = spd(150, 1);
        double[][] u = Matrices.plain(UpperCholesky.factor(Matrices.nd(a), "A", "fix"));
        assertUpper(u);
        assertTrue(Matrices.maxAbsDifference(a, Matrices.multiply(Matrices.transpose(u), u)) < 1e-9);
    }

    @Test
    void triangularInverseAcrossTheRecursionSplits() {
        double[][] u = Matrices.plain(UpperCholesky.factor(Matrices.nd(spd(150, 2)), "A", "fix"));
        double[][] inverse = Matrices.plain(UpperCholesky.invertUpper(Matrices.nd(u)));
        double[][] identity = Matrices.multiply(u, inverse);
        for (int i = 0; i < identity.length; i++) {
            identity[i][i] -= 1.0;
        }
        assertTrue(Matrices.maxAbsDifference(identity, new double[150][150]) < 1e-10);
    }

    @Test
    void factorOfInverseGivesTheInverse() {
        double[][] a = spd(100, 3);
        double[][] v = Matrices.plain(UpperCholesky.factorOfInverse(Matrices.nd(a), "A", "fix"));
        assertUpper(v);
        double[][] product = Matrices.multiply(a, Matrices.multiply(Matrices.transpose(v), v));
        for (int i = 0; i < product.length; i++) {
            product[i][i] -= 1.0;
        }
        assertTrue(Matrices.maxAbsDifference(product, new double[100][100]) < 1e-9);
    }

    @Test
    void notPositiveDefiniteNamesTheMatrixAndTheFix() {
        INDArray singular = Matrices.nd(new double[][] {{1, 2}, {2, 1}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpperCholesky.factor(singular, "the Hessian of 'w'", "raise the dampening"));
        assertTrue(e.getMessage().contains("the Hessian of 'w' [2×2] is not positive definite")
                && e.getMessage().contains("raise the dampening"), e.getMessage());
    }
}
