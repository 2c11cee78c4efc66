package org.maskpro4j.maskllm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.maskpro4j.testing.SmallMlp;

class SoftMaskObjectiveTest {

    /**
     * The chain rule (model backprop → dObjective/dM̃ → gates) against central differences of the objective in the
     * gates, with the Gumbel noise held fixed, on a trained double-precision MLP; both weights, regulariser on.
     */
    @Test
    void gateGradientMatchesFiniteDifferencesOfTheObjective() {
        for (NmPattern pattern : List.of(NmPattern.of(2, 4), NmPattern.of(4, 8))) {
            MultiLayerNetwork net = SmallMlp.trainedMlp(11, DataType.DOUBLE);
            MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, pattern, WeightSelection.all());
            DataSet batch = SmallMlp.data(12, 1, 32, DataType.DOUBLE).get(0);
            CandidateGates gates = CandidateGates.initialise(pattern, model.weights(), 0.05, 3, null, 0);
            assertEquals(DataType.DOUBLE, gates.gates().dataType());
            INDArray noise = gates.noise(3, 0);
            double kappa = 100;
            double tau = 2;
            double lambda = 0.05;
            SoftMaskObjective.Evaluation e = SoftMaskObjective.evaluate(model, batch, gates, noise, kappa, tau, lambda);
            assertTrue(e.regulariser() > 0);
            // both terms must matter, or the check would not see a mistake in either
            assertTrue(lambda * e.regulariser() > 1e-3 * Math.abs(e.loss()), "regulariser too small to be checked");
            INDArray analytic = e.gateGradient().dup();
            INDArray g = gates.gates();
            double h = 1e-6;
            long groups = gates.groupCount();
            long k = gates.candidateCount();
            double worst = 0;
            double scale = analytic.amaxNumber().doubleValue();
            // entries spread over both weights' blocks
            for (int probe = 0; probe < 24; probe++) {
                long row = (probe * 37L + 5) % groups;
                long col = (probe * 5L + 1) % k;
                double v = g.getDouble(row, col);
                g.putScalar(row, col, v + h);
                double plus = SoftMaskObjective.evaluate(model, batch, gates, noise, kappa, tau, lambda).objective();
                g.putScalar(row, col, v - h);
                double minus = SoftMaskObjective.evaluate(model, batch, gates, noise, kappa, tau, lambda).objective();
                g.putScalar(row, col, v);
                double fd = (plus - minus) / (2 * h);
                worst = Math.max(worst, Math.abs(fd - analytic.getDouble(row, col)));
            }
            System.out.println(pattern + " gate gradient vs finite differences: max |error| " + worst + ", max |grad| " + scale);
            assertTrue(scale > 1e-3, "gradient is trivially small: " + scale);
            assertTrue(worst < 1e-5 * Math.max(1, scale), pattern + ": max |analytic − fd| = " + worst);
        }
    }

    @Test
    void relaxedChoiceIsARowSoftmaxAndTheSoftMaskMixesCandidates() {
        NmPattern p = NmPattern.of(2, 4);
        MultiLayerNetwork net = SmallMlp.trainedMlp(11, DataType.FLOAT);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, p, WeightSelection.all());
        CandidateGates gates = CandidateGates.initialise(p, model.weights(), 0.01, 1, null, 0);
        INDArray noise = gates.noise(1, 0);
        INDArray y = gates.relaxed(noise, 100, 4);
        assertArrayEquals(new long[] {gates.groupCount(), 6}, y.shape());
        INDArray rowSums = y.sum(1);
        assertEquals(0, rowSums.sub(1).amaxNumber().doubleValue(), 1e-5);
        // the softmax of one row, written out
        double[] z = new double[6];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < 6; j++) {
            z[j] = (100 * gates.gates().getDouble(7, j) + noise.getDouble(7, j)) / 4;
            max = Math.max(max, z[j]);
        }
        double sum = 0;
        for (int j = 0; j < 6; j++) {
            sum += Math.exp(z[j] - max);
        }
        for (int j = 0; j < 6; j++) {
            assertEquals(Math.exp(z[j] - max) / sum, y.getDouble(7, j), 1e-5);
        }
        INDArray soft = gates.softMask(y);
        // every candidate keeps N of M, so a convex mix of them keeps N in expectation
        assertEquals(0, soft.sum(1).sub(2).amaxNumber().doubleValue(), 1e-5);
        assertTrue(soft.minNumber().doubleValue() >= 0 && soft.maxNumber().doubleValue() <= 1 + 1e-6);
    }

    @Test
    void noiseIsFreshEveryStepAndPerWeightStreamsAreIndependentOfOtherWeights() {
        NmPattern p = NmPattern.of(2, 4);
        MultiLayerNetwork net = SmallMlp.trainedMlp(11, DataType.FLOAT);
        List<MaskableWeight> both = new MultiLayerNetworkModel(net, p, WeightSelection.all()).weights();
        CandidateGates all = CandidateGates.initialise(p, both, 0.01, 1, null, 0);
        INDArray step0 = all.noise(9, 0);
        INDArray step1 = all.noise(9, 1);
        assertTrue(step0.sub(step1).amaxNumber().doubleValue() > 0.1, "noise must change between steps");
        assertEquals(step0, all.noise(9, 0), "noise must be a function of (seed, step)");
        CandidateGates firstOnly = CandidateGates.initialise(p, both.subList(0, 1), 0.01, 1, null, 0);
        assertEquals(all.slice(step0, 0), firstOnly.noise(9, 0));
    }
}
