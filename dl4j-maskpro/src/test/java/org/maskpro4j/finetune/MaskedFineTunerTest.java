package org.maskpro4j.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.NetworkUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.testing.ZipFixtures;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Masked fine-tuning of a real trained network pruned 1:4 by magnitude (a large loss to win back). */
class MaskedFineTunerTest {
    private static final NmPattern PATTERN = NmPattern.parse("1:4");

    private record Pruned(MultiLayerNetwork net, MultiLayerNetworkModel model, Map<String, INDArray> masks) {
    }

    private static Pruned pruned(List<DataSet> train) {
        MultiLayerNetwork net = SmallMlp.trainedMlp(5, DataType.DOUBLE);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, PATTERN, WeightSelection.all());
        Map<String, INDArray> masks = OneShotPruner.builder(PruneMethod.MAGNITUDE).build().prune(model, train).masks();
        return new Pruned(net, model, masks);
    }

    @Test
    void keepsPrunedWeightsZeroLowersHeldOutLossAndResumesExactly(@TempDir Path dir) {
        List<DataSet> train = SmallMlp.data(11, 8, 32, DataType.DOUBLE);
        List<DataSet> heldOut = SmallMlp.data(12, 4, 64, DataType.DOUBLE);
        FineTuneConfig config = FineTuneConfig.builder().steps(40).learningRate(1e-2).logEvery(10).build();

        Pruned straight = pruned(train);
        double before = SmallMlp.meanLoss(straight.model(), heldOut);
        FineTuneResult r = new MaskedFineTuner(config, null).tune(straight.model(), train, straight.masks(),
                () -> SmallMlp.meanLoss(straight.model(), heldOut), 10, null);
        double after = SmallMlp.meanLoss(straight.model(), heldOut);
        assertTrue(after < 0.8 * before, "fine-tuning must lower the held-out loss: " + before + " -> " + after);
        assertEquals(4, r.heldOut().size());
        assertEquals(after, r.heldOut().get(3).value(), 1e-12);
        assertEquals(2L * (16 * 32 + 32 * 4) * 8, r.optimizerStateBytes(), "two DOUBLE Adam moments per trained weight");
        for (MaskableWeight w : straight.model().weights()) {
            INDArray offMask = w.live().mul(w.layout().fromGroups(straight.masks().get(w.name()).castTo(DataType.DOUBLE)).rsub(1.0));
            assertEquals(0.0, offMask.amaxNumber().doubleValue(), w.name() + " has a non-zero pruned weight");
            assertTrue(w.live().neq(w.dense().mul(w.layout().fromGroups(straight.masks().get(w.name()).castTo(DataType.DOUBLE)))).any(),
                    w.name() + "'s kept weights must have trained");
        }

        Path ckpt = dir.resolve("ft.ckpt");
        Pruned resumed = pruned(train);
        FineTuneConfig half = FineTuneConfig.builder().steps(17).learningRate(1e-2).build();
        new MaskedFineTuner(half, ckpt).tune(resumed.model(), train, resumed.masks());
        Pruned fresh = pruned(train);                     // a new process: dense weights, state only in the checkpoint
        FineTuneResult rest = new MaskedFineTuner(config, ckpt).tune(fresh.model(), train, fresh.masks());
        assertEquals(40, rest.steps());
        for (int i = 0; i < fresh.model().weights().size(); i++) {
            assertEquals(straight.model().weights().get(i).live(), fresh.model().weights().get(i).live(),
                    "resumed run must equal the uninterrupted one");
        }
        FineTuneConfig otherLr = FineTuneConfig.builder().steps(50).learningRate(1e-3).build();
        assertThrows(IllegalArgumentException.class,
                () -> new MaskedFineTuner(otherLr, ckpt).tune(pruned(train).model(), train, fresh.masks()));
    }

    @Test
    void aCheckpointEntryInflatingPastTheWeightsIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        List<DataSet> train = SmallMlp.data(11, 8, 32, DataType.DOUBLE);
        Path real = dir.resolve("ft.ckpt");
        Pruned p = pruned(train);
        new MaskedFineTuner(FineTuneConfig.builder().steps(2).learningRate(1e-2).build(), real).tune(p.model(), train,
                p.masks());
        // the same checkpoint with one moment entry inflating to 64 MiB of zeros: the weights are 640 values
        Path inflating = ZipFixtures.copyInflating(real, dir.resolve("inflating.ckpt"), "m/", 64L << 20);
        Pruned again = pruned(train);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new MaskedFineTuner(
                FineTuneConfig.builder().steps(4).learningRate(1e-2).build(), inflating).tune(again.model(), train,
                again.masks()));
        assertTrue(e.getCause().getMessage().contains("inflates past"), e.getCause().getMessage());
    }

    @Test
    void dl4jFitKeepsTheMaskAfterEveryUpdate() {
        List<DataSet> train = SmallMlp.data(11, 8, 32, DataType.DOUBLE);
        List<DataSet> heldOut = SmallMlp.data(12, 4, 64, DataType.DOUBLE);
        Pruned p = pruned(train);
        double before = SmallMlp.meanLoss(p.model(), heldOut);
        FineTuneResult r = Dl4jMaskedFit.fit(p.net(), p.model().weights(), p.masks(), train,
                FineTuneConfig.builder().steps(30).learningRate(1e-2).schedule(LrSchedule.COSINE).warmupSteps(3)
                        .logEvery(10).build(),
                () -> SmallMlp.meanLoss(p.model(), heldOut));
        assertEquals(30, r.steps());
        // the schedule reaches the network's own updater: the last step ran at the cosine's end rate, 0
        assertEquals(0.0, NetworkUtils.getLearningRate(p.net(), 0), 1e-12);
        IllegalArgumentException distill = assertThrows(IllegalArgumentException.class,
                () -> Dl4jMaskedFit.fit(p.net(), p.model().weights(), p.masks(), train,
                        FineTuneConfig.builder().steps(2).distillation(0.5).build(), null));
        assertEquals(Dl4jMaskedFit.DISTILLATION_UNSUPPORTED, distill.getMessage());
        assertTrue(r.heldOut().get(0).value() < 0.8 * before, "held-out loss " + before + " -> " + r.heldOut());
        assertTrue(r.optimizerStateBytes() > 0, "the network's Adam state is reported");
        for (MaskableWeight w : p.model().weights()) {
            INDArray offMask = w.live().mul(w.layout().fromGroups(p.masks().get(w.name()).castTo(DataType.DOUBLE)).rsub(1.0));
            assertEquals(0.0, offMask.amaxNumber().doubleValue(), w.name() + " has a non-zero pruned weight");
        }
    }
}
