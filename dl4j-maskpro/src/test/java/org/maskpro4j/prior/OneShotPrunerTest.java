package org.maskpro4j.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class OneShotPrunerTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    private static final int IN = 16;
    private static final int HIDDEN = 32;
    private static final int OUT = 8;

    private static TwoLayerMlp mlp(long seed) {
        Random random = new Random(seed);
        return new TwoLayerMlp(Matrices.nd(Matrices.gaussian(random, HIDDEN, IN)).castTo(DataType.FLOAT),
                Matrices.nd(Matrices.gaussian(random, OUT, HIDDEN)).castTo(DataType.FLOAT), P24);
    }

    private static List<INDArray> batches(long seed) {
        Random random = new Random(seed);
        return List.of(Matrices.nd(Matrices.gaussian(random, 40, IN)).castTo(DataType.FLOAT),
                Matrices.nd(Matrices.gaussian(random, 40, IN)).castTo(DataType.FLOAT),
                Matrices.nd(Matrices.gaussian(random, 30, IN)).castTo(DataType.FLOAT));
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void wandaCalibratesTheSecondLayerOnThePrunedFirstLayer() {
        TwoLayerMlp model = mlp(1);
        List<INDArray> calibration = batches(2);
        OneShotResult result = OneShotPruner.builder(PruneMethod.WANDA).build().prune(model, calibration);

        INDArray x = model.allHandedOut("fc1.W");
        assertEquals(110, x.size(0), "every calibration batch is seen once per weight");
        INDArray w1Pruned = model.first.dense().mul(model.first.layout().fromGroups(result.mask("fc1.W").castTo(DataType.FLOAT)));
        INDArray sequential = model.hidden(x, w1Pruned);
        INDArray onDenseModel = model.hidden(x, model.first.dense());
        INDArray seen = model.allHandedOut("fc2.W");
        assertTrue(maxDifference(seen, sequential) < 1e-5, "fc2 was calibrated on fc1 already pruned");
        assertTrue(maxDifference(seen, onDenseModel) > 0.1, "pruning fc1 changes what fc2 sees");

        InputStatistics expected = InputStatistics.columnNormsOnly("fc2.W", HIDDEN);
        expected.add(sequential);
        INDArray expectedMask = WandaPruner.mask(model.second.layout().toRows(model.second.dense()),
                expected.columnNormsSquared(), P24);
        assertEquals(expectedMask.castTo(DataType.BYTE), result.mask("fc2.W"));
        assertEquals(model.second.dense().mul(model.second.layout().fromGroups(result.mask("fc2.W").castTo(DataType.FLOAT))),
                model.second.live(), "the model computes with dense ⊙ mask");
        assertEquals(8L * HIDDEN, result.peakStatisticsBytes(), "Wanda keeps only K column norms");
    }

    @Test
    void sparseGptCalibratesOnTheCompensatedFirstLayer() {
        TwoLayerMlp model = mlp(3);
        OneShotResult result = OneShotPruner.builder(PruneMethod.SPARSEGPT).blockSize(8).build()
                .prune(model, batches(4));

        INDArray mask1 = model.first.layout().fromGroups(result.mask("fc1.W").castTo(DataType.FLOAT));
        INDArray live1 = model.first.live();
        assertEquals(0.0, live1.mul(mask1.rsub(1.0)).amaxNumber().doubleValue(), 0.0, "pruned entries are zero");
        assertTrue(maxDifference(live1, model.first.dense().mul(mask1)) > 1e-3, "kept weights were compensated");
        INDArray x = model.allHandedOut("fc1.W");
        assertTrue(maxDifference(model.allHandedOut("fc2.W"), model.hidden(x, live1)) < 1e-5,
                "fc2 was calibrated on the compensated fc1");
        assertEquals(8L * (HIDDEN * HIDDEN + HIDDEN), result.peakStatisticsBytes());
    }

    @Test
    void aCalibrationGroupTakesItsStatisticsWithAllItsWeightsDense() {
        List<INDArray> calibration = batches(2);
        TwoLayerMlp sequentialModel = mlp(1);
        OneShotResult sequential = OneShotPruner.builder(PruneMethod.WANDA).build().prune(sequentialModel, calibration);
        TwoLayerMlp model = mlp(1);
        OneShotResult grouped = OneShotPruner.builder(PruneMethod.WANDA)
                .calibrationGroups(CalibrationGroups.of(List.of(List.of("fc1.W", "fc2.W")))).build()
                .prune(model, calibration);

        INDArray x = model.allHandedOut("fc1.W");
        INDArray onDenseFirstLayer = model.hidden(x, model.first.dense());
        assertTrue(maxDifference(model.allHandedOut("fc2.W"), onDenseFirstLayer) < 1e-5,
                "fc2 was calibrated with fc1, in its group, still dense");
        InputStatistics expected = InputStatistics.columnNormsOnly("fc2.W", HIDDEN);
        expected.add(onDenseFirstLayer);
        assertEquals(WandaPruner.mask(model.second.layout().toRows(model.second.dense()), expected.columnNormsSquared(),
                P24).castTo(DataType.BYTE), grouped.mask("fc2.W"));

        assertEquals(sequential.mask("fc1.W"), grouped.mask("fc1.W"), "the first weight sees the dense model either way");
        assertNotEquals(sequential.mask("fc2.W"), grouped.mask("fc2.W"), "the two orders give fc2 different masks");
        assertEquals(model.first.dense().mul(model.first.layout().fromGroups(grouped.mask("fc1.W").castTo(DataType.FLOAT))), model.first.live(),
                "after its group, every weight is pruned");
        assertEquals(8L * (IN + HIDDEN), grouped.peakStatisticsBytes(), "a group holds the statistics of all its weights");
        assertEquals(8L * HIDDEN, sequential.peakStatisticsBytes());
    }

    @Test
    void sparseGptCompensatesInsideAGroupOnlyAfterTheGroupIsCalibrated() {
        TwoLayerMlp model = mlp(3).asOneBlock();
        OneShotResult result = OneShotPruner.builder(PruneMethod.SPARSEGPT).blockSize(8).build().prune(model, batches(4));

        INDArray x = model.allHandedOut("fc1.W");
        assertTrue(maxDifference(model.allHandedOut("fc2.W"), model.hidden(x, model.first.dense())) < 1e-5,
                "fc2 was calibrated on the dense fc1, not the compensated one");
        INDArray mask1 = model.first.layout().fromGroups(result.mask("fc1.W").castTo(DataType.FLOAT));
        assertTrue(maxDifference(model.first.live(), model.first.dense().mul(mask1)) > 1e-3, "fc1 was still compensated");
        assertEquals(8L * (IN * IN + IN + HIDDEN * HIDDEN + HIDDEN), result.peakStatisticsBytes());
    }

    @Test
    void theModelsGroupsAreTheDefaultAndPerWeightOverridesThem() {
        List<INDArray> calibration = batches(6);
        OneShotResult declared = OneShotPruner.builder(PruneMethod.WANDA).build().prune(mlp(5).asOneBlock(), calibration);
        OneShotResult given = OneShotPruner.builder(PruneMethod.WANDA)
                .calibrationGroups(CalibrationGroups.of(List.of(List.of("fc1.W", "fc2.W")))).build()
                .prune(mlp(5), calibration);
        assertEquals(given.masks(), declared.masks());

        OneShotResult perWeight = OneShotPruner.builder(PruneMethod.WANDA).calibrationGroups(CalibrationGroups.perWeight())
                .build().prune(mlp(5).asOneBlock(), calibration);
        OneShotResult sequential = OneShotPruner.builder(PruneMethod.WANDA).build().prune(mlp(5), calibration);
        assertEquals(sequential.masks(), perWeight.masks());
        assertNotEquals(sequential.mask("fc2.W"), declared.mask("fc2.W"));
    }

    @Test
    void calibrationGroupsMustListEveryWeightOnceInForwardOrder() {
        List<List<List<String>>> wrong = List.of(List.of(List.of("fc1.W")), List.of(List.of("fc2.W"), List.of("fc1.W")),
                List.of(List.of("fc1.W", "fc2.W", "fc3.W")), List.of(List.of("fc1.W"), List.of(), List.of("fc2.W")),
                List.of(List.of("fc1.W", "fc1.W", "fc2.W")));
        for (List<List<String>> groups : wrong) {
            OneShotPruner pruner = OneShotPruner.builder(PruneMethod.MAGNITUDE)
                    .calibrationGroups(CalibrationGroups.of(groups)).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pruner.prune(mlp(1), List.of()), groups::toString);
            assertTrue(e.getMessage().contains(groups.toString()) && e.getMessage().contains("[fc1.W, fc2.W]")
                    && e.getMessage().contains("forward order"), e.getMessage());
        }
    }

    @Test
    void everyMethodLeavesStrictMasksInTheModel() {
        List<INDArray> calibration = batches(6);
        double magnitudeLoss = Double.NaN;
        for (PruneMethod method : PruneMethod.values()) {
            TwoLayerMlp model = mlp(5);
            OneShotResult result = OneShotPruner.builder(method).blockSize(8).build().prune(model, calibration);
            assertEquals(List.of("fc1.W", "fc2.W"), List.copyOf(result.masks().keySet()));
            for (var weight : model.weights()) {
                INDArray mask = result.mask(weight.name());
                assertTrue(Strictness.check(mask, P24).strict(), method + " " + weight.name());
                INDArray outside = weight.live().mul(weight.layout().fromGroups(mask.castTo(DataType.FLOAT)).rsub(1.0));
                assertEquals(0.0, outside.amaxNumber().doubleValue(), 0.0, method + " zeroes pruned weights");
            }
            double loss = calibration.stream().mapToDouble(model::loss).average().orElseThrow();
            if (method == PruneMethod.MAGNITUDE) {
                magnitudeLoss = loss;
                assertEquals(0, result.peakStatisticsBytes());
            } else if (method == PruneMethod.SPARSEGPT) {
                assertTrue(loss < magnitudeLoss, "SparseGPT " + loss + " vs magnitude " + magnitudeLoss);
            }
            assertEquals(result.masks().keySet(), result.secondsPerWeight().keySet());
        }
    }

    @Test
    void earlierMasksDoNotLeakIntoCalibration() {
        List<INDArray> calibration = batches(8);
        TwoLayerMlp fresh = mlp(7);
        OneShotResult expected = OneShotPruner.builder(PruneMethod.WANDA).build().prune(fresh, calibration);
        TwoLayerMlp premasked = mlp(7);
        premasked.first.assignLive(premasked.first.dense().mul(0.0));
        premasked.second.assignLive(premasked.second.dense().mul(0.0));
        OneShotResult again = OneShotPruner.builder(PruneMethod.WANDA).build().prune(premasked, calibration);
        assertEquals(expected.masks(), again.masks());
        assertNotEquals(0.0, premasked.second.live().amaxNumber().doubleValue());
    }

    @Test
    void calibratedMethodsNeedReiterableBatches() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> OneShotPruner.builder(PruneMethod.SPARSEGPT).build().prune(mlp(1), List.of()));
        assertTrue(none.getMessage().contains("sparsegpt") && none.getMessage().contains("calibration"), none.getMessage());

        Iterator<INDArray> once = batches(2).iterator();
        Iterable<INDArray> oneShot = () -> once;
        IllegalArgumentException exhausted = assertThrows(IllegalArgumentException.class,
                () -> OneShotPruner.builder(PruneMethod.WANDA).build().prune(mlp(1), oneShot));
        assertTrue(exhausted.getMessage().contains("'fc2.W'") && exhausted.getMessage().contains("List"),
                exhausted.getMessage());

        OneShotResult magnitude = OneShotPruner.builder(PruneMethod.MAGNITUDE).build().prune(mlp(1), List.of());
        assertEquals(2, magnitude.masks().size());
    }

    @Test
    void methodNamesParseFromTheCommandLine() {
        assertEquals(PruneMethod.SPARSEGPT_MASK_ONLY, PruneMethod.parse("sparsegpt-mask"));
        assertEquals(PruneMethod.WANDA, PruneMethod.parse(" Wanda "));
        for (PruneMethod method : PruneMethod.values()) {
            assertEquals(method, PruneMethod.parse(method.cliName()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruneMethod.parse("obs"));
        assertTrue(e.getMessage().contains("\"obs\"") && e.getMessage().contains("magnitude, wanda, sparsegpt, sparsegpt-mask"),
                e.getMessage());
    }
}
