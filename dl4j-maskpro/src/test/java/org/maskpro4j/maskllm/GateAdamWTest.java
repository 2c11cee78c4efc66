package org.maskpro4j.maskllm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GateAdamWTest {

    /** Two steps against the apex FusedAdam (AdamW mode) formulas written out per entry. */
    @Test
    void matchesDecoupledAdamWithBiasCorrectionAndEpsilonOutsideTheRoot() {
        double b1 = 0.9, b2 = 0.95, eps = 1e-5, wd = 0.1, lr = 0.01;
        double[] p = {0.5, -0.2, 0.03, 0.0};
        double[][] grads = {{0.1, -0.3, 0.02, 0.0}, {-0.05, 0.2, 0.01, 0.4}};
        INDArray params = Nd4j.createFromArray(p.clone()).reshape(2, 2);
        GateAdamW adam = new GateAdamW(params, b1, b2, eps, wd, 0);
        double[] m = new double[4], v = new double[4];
        for (int t = 1; t <= 2; t++) {
            adam.step(params, Nd4j.createFromArray(grads[t - 1].clone()).reshape(2, 2), lr);
            for (int j = 0; j < 4; j++) {
                double g = grads[t - 1][j];
                m[j] = b1 * m[j] + (1 - b1) * g;
                v[j] = b2 * v[j] + (1 - b2) * g * g;
                double mHat = m[j] / (1 - Math.pow(b1, t));
                double vHat = v[j] / (1 - Math.pow(b2, t));
                p[j] -= lr * (mHat / (Math.sqrt(vHat) + eps) + wd * p[j]);
            }
        }
        for (int j = 0; j < 4; j++) {
            assertEquals(p[j], params.getDouble(j / 2, j % 2), 1e-12, "entry " + j);
        }
        assertEquals(2 * 4 * 8, adam.stateBytes());
    }

    @Test
    void clipsTheGlobalNormToTheLimitAndReportsItBeforeClipping() {
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        INDArray b = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        GateAdamW clipped = new GateAdamW(a, 0.9, 0.95, 1e-5, 0, 1.0);
        GateAdamW unclipped = new GateAdamW(b, 0.9, 0.95, 1e-5, 0, 0);
        // Adam's first step is sign-like whatever the scale, so compare the second step after a clipped first one
        double norm = clipped.step(a, Nd4j.createFromArray(30.0, 40.0).reshape(1, 2), 0.1);
        unclipped.step(b, Nd4j.createFromArray(0.6, 0.8).reshape(1, 2), 0.1);
        assertEquals(50, norm, 1e-12);
        clipped.step(a, Nd4j.createFromArray(0.3, -0.1).reshape(1, 2), 0.1);
        unclipped.step(b, Nd4j.createFromArray(0.3, -0.1).reshape(1, 2), 0.1);
        assertEquals(0, a.sub(b).amaxNumber().doubleValue(), 1e-7, "clipping to norm 1 must equal scaling the gradient by 1/50");
    }
}
