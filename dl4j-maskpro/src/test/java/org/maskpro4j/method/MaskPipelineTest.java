package org.maskpro4j.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.prior.RandomPrior;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** The pipeline's stage order, its optional stages, what it reports, and the prior choice, on a small trained MLP. */
class MaskPipelineTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    private static final List<DataSet> TRAIN = SmallMlp.data(3, 6, 32);
    private static final List<DataSet> HELD_OUT = SmallMlp.data(99, 2, 64);

    private static MultiLayerNetworkModel model() {
        return new MultiLayerNetworkModel(SmallMlp.trainedMlp(7), P24, WeightSelection.all());
    }

    private static MethodSettings settings(long steps) {
        return MethodSettings.builder(MaskProConfig.builder().pattern(P24).steps(steps).updateRule(UpdateRule.RAW).learningRate(300)
                .logitMagnitude(3).seed(11).logEvery(10).build()).build();
    }

    /** Counts its calls; measures the mean held-out loss. */
    private static final class CountingHeldOut implements HeldOut {
        private final MultiLayerNetworkModel model;
        int calls;

        CountingHeldOut(MultiLayerNetworkModel model) {
            this.model = model;
        }

        @Override
        public Map<String, Object> measure() {
            calls++;
            return Map.of("loss", SmallMlp.meanLoss(model, HELD_OUT));
        }
    }

    /** Records the order it ran in and the masks it saw; optionally changes the model. */
    private static final class Recording implements Stage {
        private final String name;
        private final List<String> log;
        private final boolean changes;
        Map<String, INDArray> sawMasks;

        Recording(String name, List<String> log, boolean changes) {
            this.name = name;
            this.log = log;
            this.changes = changes;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public <B> StageOutcome run(StageContext<B> context) {
            log.add(name);
            sawMasks = context.masks();
            assertNotNull(context.maskResult(), name + " runs after the mask stage");
            return changes ? StageOutcome.changed(null, 5, Map.of("what", "recorded")) : StageOutcome.unchanged(Map.of());
        }
    }

    @Test
    void stagesRunInOrderAndEachIsReportedWithHeldOutMetricsWhereTheModelChanged() {
        MultiLayerNetworkModel model = model();
        List<String> log = new ArrayList<>();
        Recording finetune = new Recording("finetune", log, true);
        Recording export = new Recording("export", log, false);
        MaskPipeline pipeline = MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(20)))
                .prior(MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS)).then(finetune).export(export).build();
        assertEquals(List.of("prior", "mask", "finetune", "verify", "export"), pipeline.stageNames());

        CountingHeldOut heldOut = new CountingHeldOut(model);
        PipelineResult result = pipeline.run(model, TRAIN, heldOut);

        assertEquals(List.of("finetune", "export"), log);
        assertEquals(pipeline.stageNames(), result.stages().stream().map(StageReport::stage).toList());
        assertEquals(3, heldOut.calls, "measured after prior, mask and finetune; not after verify or export");
        assertNotNull(result.stage("prior").heldOut());
        assertNotNull(result.stage("finetune").heldOut());
        assertNull(result.stage("verify").heldOut());
        assertNull(result.stage("export").heldOut());
        assertEquals(20, result.stage("mask").steps());
        assertEquals(5, result.stage("finetune").steps());
        for (StageReport r : result.stages()) {
            assertTrue(r.seconds() >= 0 && r.peak().totalBytes() > 0, r.toString());
        }
        assertEquals("magnitude", result.prior().name());
        assertEquals("magnitude", result.stage("prior").details().get("prior"));
        assertTrue(result.verified().strict());
        assertEquals(result.masks(), finetune.sawMasks, "later stages see the learned masks");
        assertEquals(result.mask().masks(), result.masks());
        assertTrue(result.mask().changedFromPrior() > 0, "MaskPro moved away from the prior");
        // the held-out metrics after the mask stage are those of the model as MaskPro left it
        assertEquals(SmallMlp.meanLoss(model, HELD_OUT), (double) result.stage("mask").heldOut().get("loss"), 1e-9);
        for (MaskableWeight w : model.weights()) {
            assertTrue(Strictness.check(result.masks().get(w.name()), P24).strict());
        }
    }

    @Test
    void aOneShotMethodSkipsThePriorStageAndRunsWithoutHeldOutData() {
        MaskPipeline pipeline = MaskPipeline.builder().method(MaskMethods.create("wanda", settings(0)))
                .prior(MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS)).build();
        assertEquals(List.of("mask", "verify"), pipeline.stageNames());
        PipelineResult result = pipeline.run(model(), TRAIN, null);
        assertNull(result.prior());
        assertNull(result.heldOut());
        assertEquals("wanda", result.mask().method());
        assertEquals(0, result.mask().steps());
    }

    @Test
    void theBestOfSeveralPriorsIsTheOneWithTheLowestTrainingLoss() {
        MultiLayerNetworkModel model = model();
        PipelineResult result = MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(1)))
                .prior(new RandomPrior(5)).prior(MaskMethods.prior("wanda", OneShotOptions.DEFAULTS))
                .prior(MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS)).build().run(model, TRAIN, null);
        @SuppressWarnings("unchecked")
        Map<String, Double> scores = (Map<String, Double>) result.stage("prior").details().get("candidates");
        assertEquals(List.of("random", "wanda", "magnitude"), List.copyOf(scores.keySet()));
        String lowest = scores.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals(lowest, result.prior().name());
        assertTrue(scores.get("random") > scores.get(lowest), "a random mask is not the best prior: " + scores);
        // the score is the training loss of the candidate's mask on the dense weights
        PriorStage.apply(model, result.prior().masks());
        assertEquals(SmallMlp.meanLoss(model, TRAIN), scores.get(lowest), 1e-9);
    }

    @Test
    void aModelThatIsNotStrictAfterTheStagesIsNeverExported() {
        List<String> log = new ArrayList<>();
        Stage undoMask = new Stage() {
            @Override
            public String name() {
                return "undo";
            }

            @Override
            public <B> StageOutcome run(StageContext<B> context) {
                context.model().weights().forEach(MaskableWeight::restoreDense);
                return StageOutcome.changed(null, 0, Map.of());
            }
        };
        MaskPipeline pipeline = MaskPipeline.builder().method(MaskMethods.create("magnitude", settings(0)))
                .then(undoMask).export(new Recording("export", log, false)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.run(model(), TRAIN, null));
        assertTrue(e.getMessage().contains("violates 2:4"), e.getMessage());
        assertTrue(log.isEmpty(), "export did not run");
    }

    @Test
    void aLearnerWithoutAPriorIsRefusedWhenThePipelineIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(1))).build());
        assertTrue(e.getMessage().contains("prior") && e.getMessage().contains("wanda"), e.getMessage());
    }

    @Test
    void aChosenPriorIsReusedWithoutRecomputingOrRemeasuringIt() {
        MultiLayerNetworkModel model = model();
        CountingHeldOut heldOut = new CountingHeldOut(model);
        PipelineResult first = MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(5)))
                .prior(MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS)).build().run(model, TRAIN, heldOut);
        ChosenPrior prior = new ChosenPrior(first.prior().name(), first.prior().masks(), first.stage("prior").heldOut());
        heldOut.calls = 0;
        PipelineResult second = MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(5)))
                .prior(prior).build().run(model, TRAIN, heldOut);
        assertEquals(1, heldOut.calls, "only the learned mask is measured");
        assertEquals(first.stage("prior").heldOut(), second.stage("prior").heldOut());
        assertEquals(first.masks(), second.masks(), "same prior, same seed, same masks");
        assertFalse(second.stage("prior").details().containsKey("candidates"));
    }

    @Test
    void onHeldOutDataKnownScoresCountAndOnlyTheUnknownPriorIsMeasured() {
        MultiLayerNetworkModel model = model();
        CountingHeldOut heldOut = new CountingHeldOut(model);
        Map<String, INDArray> magnitude = MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS).masks(model, TRAIN);
        Map<String, INDArray> random = new RandomPrior(3).masks(model, TRAIN);
        PipelineResult result = MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(1)))
                .prior(new ChosenPrior("known-bad", magnitude, Map.of("loss", 99.0)))
                .prior(new ChosenPrior("random", random, null))
                .prior(new ChosenPrior("known-good", magnitude, Map.of("loss", 0.001)))
                .priorSelection(PriorSelection.HELD_OUT).build().run(model, TRAIN, heldOut);
        assertEquals("known-good", result.prior().name());
        assertEquals(2, heldOut.calls, "the random prior and the learned mask are measured; known scores are not");
        assertEquals(Map.of("loss", 0.001), result.stage("prior").heldOut(), "the winner's metrics are its report");
        @SuppressWarnings("unchecked")
        Map<String, Double> scores = (Map<String, Double>) result.stage("prior").details().get("candidates");
        assertEquals(List.of("known-bad", "random", "known-good"), List.copyOf(scores.keySet()));
        assertEquals("held-out", result.stage("prior").details().get("selection"));
    }
}
