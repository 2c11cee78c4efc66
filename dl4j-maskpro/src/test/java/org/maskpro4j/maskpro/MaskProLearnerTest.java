package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.ParamWeight;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.maskpro4j.testing.SmallMlp;

class MaskProLearnerTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private static MultiLayerNetworkModel model() {
        return new MultiLayerNetworkModel(SmallMlp.trainedMlp(7), P24, WeightSelection.all());
    }

    private static MaskProConfig config(long steps) {
        // a large η makes a short run move many groups, so the assertions below see real learning
        return MaskProConfig.builder().pattern(P24).updateRule(UpdateRule.RAW).steps(steps).learningRate(300).logitMagnitude(3).seed(11).logEvery(10)
                .build();
    }

    private static Map<String, INDArray> learn(MultiLayerNetworkModel m, MaskProConfig c, Path checkpoint) {
        List<DataSet> data = SmallMlp.data(3, 8, 32);
        return new MaskProLearner(c, checkpoint).learn(m, data, new MagnitudePrior().masks(m, data)).masks();
    }

    @Test
    void finalMaskIsStrictAppliedAndMovesAwayFromThePrior() {
        MultiLayerNetworkModel m = model();
        Map<String, INDArray> prior = new MagnitudePrior().masks(m, List.of());
        List<DataSet> data = SmallMlp.data(3, 8, 32);
        MaskProResult result = new MaskProLearner(config(80), null).learn(m, data, prior);
        assertEquals(80, result.steps());
        assertEquals(80, result.history().size());
        assertTrue(result.changedFromPrior() > 0, "no group moved away from the prior");
        for (MaskableWeight w : m.weights()) {
            INDArray mask = result.masks().get(w.name());
            assertTrue(Strictness.check(mask, P24).strict());
            INDArray expected = w.layout().fromGroups(w.layout().toGroups(w.dense()).mul(mask));
            assertEquals(expected, w.live(), "live weights must be dense ⊙ final mask for " + w.name());
        }
    }

    @Test
    void sameSeedSameMasksOtherSeedOtherMasks() {
        Map<String, INDArray> a = learn(model(), config(40), null);
        Map<String, INDArray> b = learn(model(), config(40), null);
        Map<String, INDArray> c = learn(model(), config(40).toBuilder().seed(12).build(), null);
        for (String k : a.keySet()) {
            assertEquals(a.get(k), b.get(k));
        }
        assertNotEquals(a, c);
    }

    @Test
    void killedAndResumedRunEndsWithTheBitIdenticalMask(@TempDir Path dir) throws Exception {
        Map<String, INDArray> uninterrupted = learn(model(), config(50), null);
        Path ckpt = dir.resolve("run.ckpt");
        MultiLayerNetworkModel m = model();
        learn(m, config(20).toBuilder().checkpointEvery(5).build(), ckpt);
        assertEquals(20, MaskProCheckpoint.load(ckpt).step());
        MaskProCheckpoint.Snapshot snap = MaskProCheckpoint.load(ckpt);
        Map<String, INDArray> resumed = learn(model(), config(50), ckpt);
        for (String k : uninterrupted.keySet()) {
            assertEquals(uninterrupted.get(k), resumed.get(k), k);
        }
        assertEquals(50, MaskProCheckpoint.load(ckpt).history().size());
        assertEquals(20, snap.history().size());
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")), "temporary files left behind");
    }

    @Test
    void checkpointOfAnotherRunIsRefused(@TempDir Path dir) {
        Path ckpt = dir.resolve("run.ckpt");
        learn(model(), config(5), ckpt);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> learn(model(), config(10).toBuilder().learningRate(1).build(), ckpt));
        assertTrue(e.getMessage().contains("different run"), e.getMessage());
    }

    @Test
    void nanLossStopsWithClearErrorAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run.ckpt");
        MultiLayerNetworkModel m = model();
        learn(m, config(10), ckpt);
        byte[] before = Files.readAllBytes(ckpt);
        List<DataSet> bad = SmallMlp.data(3, 2, 8);
        bad.get(1).getFeatures().putScalar(0, 0, Double.NaN);
        MaskProDivergedException e = assertThrows(MaskProDivergedException.class, () -> new MaskProLearner(
                config(40).toBuilder().checkpointEvery(1).build(), dir.resolve("other.ckpt"))
                .learn(m, bad, new MagnitudePrior().masks(m, bad)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(ckpt));
    }

    @Test
    void emptyDataAndMismatchedLabelsAreClearErrors() {
        MultiLayerNetworkModel m = model();
        Map<String, INDArray> prior = new MagnitudePrior().masks(m, List.of());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new MaskProLearner(config(5), null).learn(m, List.<DataSet>of(), prior));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        DataSet wrong = new DataSet(Nd4j.rand(8, 16), Nd4j.zeros(8, 3));
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> new MaskProLearner(config(5), null).learn(m, List.of(wrong), prior));
        assertTrue(mismatch.getMessage().contains("nOut=4"), mismatch.getMessage());
    }

    @Test
    void unknownLayerNameAndBadFanInAreReported() {
        MultiLayerNetwork net = SmallMlp.trainedMlp(7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MultiLayerNetworkModel(net, P24, WeightSelection.builder().exclude("hiden").build()));
        assertTrue(e.getMessage().contains("hiden"), e.getMessage());
        // fan-in 16 and 32 are not multiples of 3 → nothing maskable → a clear error with the fix
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new MultiLayerNetworkModel(net, NmPattern.of(1, 3), WeightSelection.all()));
        assertTrue(none.getMessage().contains("not a multiple of M=3"), none.getMessage());
    }

    /**
     * The learner declares itself the sole writer of the model's weights for its run and hands them back: the same run
     * through the stepper API (whose stepper could train between steps, so masks re-read every live value) learns the
     * same masks and live weights bit for bit, reading every value at each of its 8 + 20·2 + 1 masks (the prior once per
     * batch, K = 2 draws a step, the result), while the learner reads under a quarter of that. After the run a write into
     * a removed position is zeroed again by the next mask.
     */
    @Test
    void theLearnerIsTheSoleWriterOfItsRunOnly() {
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(20).seed(5).build();
        List<DataSet> data = SmallMlp.data(3, 8, 32);
        MultiLayerNetworkModel sole = model();
        MaskProResult soleRun = new MaskProLearner(config, null).learn(sole, data, new MagnitudePrior().masks(sole, data));
        MultiLayerNetworkModel scan = model();
        CyclingBatches<DataSet> batches = new CyclingBatches<>(data, data.iterator());
        MaskProResult scanRun = new MaskProLearner(config, null).learn(scan.weights(), data,
                new MagnitudePrior().masks(scan, data), state -> state.step(scan, batches.at(state.step())));
        long values = 0;
        for (int i = 0; i < sole.weights().size(); i++) {
            MaskableWeight w = sole.weights().get(i);
            values += w.layout().weightCount();
            assertEquals(scanRun.masks().get(w.name()), soleRun.masks().get(w.name()));
            assertArrayEquals(scan.weights().get(i).live().dup().data().asFloat(), w.live().dup().data().asFloat(), w.name());
        }
        long applied = 8 + 20 * 2 + 1;
        assertEquals(applied * values, liveValuesRead(scan), "the stepper's run reads every value at every mask");
        assertTrue(liveValuesRead(sole) < applied * values / 4, "the learner read " + liveValuesRead(sole) + " values");

        ParamWeight w = (ParamWeight) sole.weights().get(0);
        INDArray mask = soleRun.masks().get(w.name());
        int removed = 0;
        while (mask.getInt(0, removed) == 1) {
            removed++;
        }
        INDArray poke = Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), 4);
        poke.putScalar(0, removed, 3f);
        w.live().addi(w.layout().fromGroups(poke)); // as a user's training step would, in the network's parameters
        assertEquals(3f, w.layout().toGroups(w.live()).getFloat(0, removed));
        w.applyMask(mask);
        assertEquals(0f, w.layout().toGroups(w.live()).getFloat(0, removed), "a write after the run is zeroed again");
    }

    private static long liveValuesRead(MultiLayerNetworkModel m) {
        return m.weights().stream().mapToLong(w -> ((ParamWeight) w).liveValuesRead()).sum();
    }

    @Test
    void listenerLearnsInsideFitAndKeepsMasksStrict() {
        MultiLayerNetwork net = SmallMlp.trainedMlp(7);
        MultiLayerNetworkModel m = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        MaskProTrainingListener listener = new MaskProTrainingListener(m, config(1000),
                new MagnitudePrior().masks(m, List.of()));
        net.setListeners(listener);
        INDArray logitsBefore = listener.state().policy().logits().dup();
        net.fit(new ListDataSetIterator<>(SmallMlp.data(3, 8, 32), 1), 3);
        assertEquals(24, listener.state().step());
        assertNotEquals(logitsBefore, listener.state().policy().logits());
        MaskProResult r = listener.finish();
        for (MaskableWeight w : m.weights()) {
            INDArray liveGroups = w.layout().toGroups(w.live());
            INDArray nonZero = liveGroups.neq(0).castTo(liveGroups.dataType());
            assertTrue(nonZero.sum(1).lte(2).all(), w.name() + " has a group with more than 2 non-zeros after fit");
            assertTrue(Strictness.check(r.masks().get(w.name()), P24).strict());
        }
    }
}
