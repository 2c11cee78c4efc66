package org.maskpro4j.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Reconstruction on a real trained DL4J network whose hidden layer sees strongly correlated inputs. */
class WeightReconstructorTest {
    private static final NmPattern PATTERN = NmPattern.parse("2:4");

    /** The problem's features mixed so that every feature shares most of its variance with the row mean. */
    private static List<DataSet> correlated() {
        List<DataSet> out = new ArrayList<>();
        for (DataSet ds : SmallMlp.data(3, 4, 64, DataType.DOUBLE)) {
            INDArray x = ds.getFeatures();
            INDArray mixed = x.mul(0.5).addiColumnVector(x.mean(true, 1).muli(2.0));
            out.add(new DataSet(mixed, ds.getLabels()));
        }
        return out;
    }

    @Test
    void equalsPlainJavaLeastSquaresAndLowersTheOutputError() {
        MultiLayerNetwork net = SmallMlp.trainedMlp(7, DataType.DOUBLE);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, PATTERN, WeightSelection.all());
        List<DataSet> calibration = correlated();
        Map<String, INDArray> masks = OneShotPruner.builder(PruneMethod.MAGNITUDE).build().prune(model, calibration).masks();

        ReconstructionResult result = WeightReconstructor.builder().dampening(0).build().reconstruct(model, calibration, masks);

        MaskableWeight hidden = model.weights().get(0);
        double[][] x = rows(calibration);
        double[][] dense = hidden.dense().toDoubleMatrix();                    // [in, out]: DL4J dense layout
        double[][] keep = hidden.layout().fromGroups(masks.get(hidden.name())).toDoubleMatrix();
        double[][] live = hidden.live().toDoubleMatrix();
        double[][] expected = PlainLeastSquares.fit(x, dense, keep);
        for (int i = 0; i < dense.length; i++) {
            for (int j = 0; j < dense[0].length; j++) {
                if (keep[i][j] == 0) {
                    assertEquals(0.0, live[i][j], "pruned weight [" + i + "," + j + "] must be exactly 0");
                } else {
                    assertEquals(expected[i][j], live[i][j], 1e-7 * (1 + Math.abs(expected[i][j])), "[" + i + "," + j + "]");
                }
            }
        }
        double maskOnly = PlainLeastSquares.outputError(x, dense, PlainLeastSquares.times(dense, keep));
        double reconstructed = PlainLeastSquares.outputError(x, dense, live);
        assertTrue(reconstructed < 0.5 * maskOnly, "reconstruction must cut the output error: " + reconstructed
                + " vs mask-only " + maskOnly);
        ReconstructionResult.Layer reported = result.layers().get(hidden.name());
        assertEquals(reconstructed / maskOnly, reported.errorAfter() / reported.errorBefore(), 1e-6);
        ReconstructionResult.Layer output = result.layers().get(model.weights().get(1).name());
        assertTrue(output.errorAfter() < output.errorBefore(), "the output layer is re-fitted too: " + output);
    }

    @Test
    void refusesAMissingMaskNamingTheWeight() {
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(SmallMlp.trainedMlp(7, DataType.DOUBLE), PATTERN,
                WeightSelection.all());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightReconstructor.builder().build().reconstruct(model, correlated(), Map.of()));
        assertTrue(e.getMessage().contains(model.weights().get(0).name()), e.getMessage());
    }

    private static double[][] rows(List<DataSet> batches) {
        List<double[]> rows = new ArrayList<>();
        for (DataSet ds : batches) {
            for (double[] r : ds.getFeatures().toDoubleMatrix()) {
                rows.add(r);
            }
        }
        return rows.toArray(new double[0][]);
    }
}
