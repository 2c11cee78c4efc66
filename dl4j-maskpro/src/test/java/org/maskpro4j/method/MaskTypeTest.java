package org.maskpro4j.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.export.MaskFile;
import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.MaskedFineTuner;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.GivenPrior;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.prior.RandomPrior;
import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.reconstruct.WeightReconstructor;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every mask the library hands out is BYTE 0/1 (a quarter of a FLOAT mask), on a real trained DL4J network; every API
 * that takes masks still takes FLOAT ones from user code, with the same results.
 */
class MaskTypeTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    private static final List<DataSet> TRAIN = SmallMlp.data(3, 4, 32);

    private static MultiLayerNetworkModel model() {
        return new MultiLayerNetworkModel(SmallMlp.trainedMlp(7), P24, WeightSelection.all());
    }

    private static void assertByte(Map<String, INDArray> masks, String what) {
        assertEquals(List.of("hidden/W", "out/W"), List.copyOf(masks.keySet()), what);
        masks.forEach((name, mask) -> assertEquals(DataType.BYTE, mask.dataType(), what + " " + name));
    }

    private static Map<String, INDArray> asFloat(Map<String, INDArray> masks) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        masks.forEach((name, mask) -> out.put(name, mask.castTo(DataType.FLOAT)));
        return out;
    }

    private static MethodSettings settings(int steps) {
        return MethodSettings.builder(MaskProConfig.builder().pattern(P24).steps(steps).seed(11).logEvery(steps).build())
                .maskLlm(MaskLlmConfig.builder().pattern(P24).steps(steps).seed(11).logEvery(steps).build()).build();
    }

    @Test
    void everyPriorMethodPipelineAndMaskFileHandsOutByteMasks(@TempDir Path dir) throws Exception {
        MultiLayerNetworkModel model = model();
        for (String prior : MaskMethods.priorNames()) {
            assertByte(MaskMethods.prior(prior, OneShotOptions.DEFAULTS).masks(model, TRAIN), "prior " + prior);
        }
        assertByte(new RandomPrior(1).masks(model, TRAIN), "random prior");
        Map<String, INDArray> floatMasks = asFloat(new MagnitudePrior().masks(model, TRAIN));
        assertByte(new GivenPrior(floatMasks).masks(model, TRAIN), "given FLOAT prior");

        for (String name : MaskMethods.names()) {
            MultiLayerNetworkModel m = model();
            MaskMethod method = MaskMethods.create(name, settings(2));
            Map<String, INDArray> prior = method.usesPrior() ? floatMasks : null;
            assertByte(method.run(m, TRAIN, prior).masks(), "method " + name + " (FLOAT prior)");
        }

        PipelineResult run = MaskPipeline.builder().method(MaskMethods.create("maskpro", settings(3)))
                .prior(MaskMethods.prior("wanda", OneShotOptions.DEFAULTS)).build().run(model(), TRAIN, null);
        assertByte(run.prior().masks(), "pipeline prior");
        assertByte(run.mask().masks(), "pipeline mask stage");
        assertByte(run.masks(), "pipeline result");
        assertByte(new ChosenPrior("given", floatMasks, null).masks(), "chosen FLOAT prior");

        Path file = dir.resolve("m" + MaskFile.EXTENSION);
        MaskFile.write(file, P24, run.masks(), run.provenance());
        MaskFile.Contents back = MaskFile.read(file);
        assertByte(back.masks(), "mask file");
        assertEquals(run.masks(), back.masks());
    }

    @Test
    void aMaskFileWrittenFromFloatMasksBeforeReadsBackAsTheSameByteMasks() throws Exception {
        // written by main at f67bf80 (FLOAT masks, format 2): ranks 0..5 for layer0/W, 5 - (i mod 6) for layer1/W
        MaskFile.Contents old = MaskFile.read(Path.of("src", "test", "resources", "saved", "masks-2of4-format2.nmmask"));
        assertEquals(P24, old.pattern());
        assertNotNull(old.provenance());
        INDArray every = Nd4j.createFromArray(new byte[][] {{1, 1, 0, 0}, {1, 0, 1, 0}, {0, 1, 1, 0}, {1, 0, 0, 1},
                {0, 1, 0, 1}, {0, 0, 1, 1}});
        assertEquals(every, old.masks().get("layer0/W"));
        INDArray second = old.masks().get("layer1/W");
        assertEquals(DataType.BYTE, second.dataType());
        for (int i = 0; i < 12; i++) {
            assertEquals(every.getRow(5 - i % 6), second.getRow(i), "group " + i);
        }
    }

    @Test
    void aFloatPriorFromUserCodeLearnsTheSameMasksAsItsByteTwin() {
        Map<String, INDArray> bytes = new MagnitudePrior().masks(model(), TRAIN);
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(8).seed(5).logEvery(8).build();
        MultiLayerNetworkModel a = model();
        MultiLayerNetworkModel b = model();
        Map<String, INDArray> fromByte = new MaskProLearner(config, null).learn(a, TRAIN, bytes).masks();
        Map<String, INDArray> fromFloat = new MaskProLearner(config, null).learn(b, TRAIN, asFloat(bytes)).masks();
        assertByte(fromFloat, "MaskPro from a FLOAT prior");
        assertEquals(fromByte, fromFloat, "same seed, same masks, whatever the prior's type");
        for (int i = 0; i < a.weights().size(); i++) {
            assertEquals(a.weights().get(i).live(), b.weights().get(i).live());
        }

        MaskLlmConfig llm = MaskLlmConfig.builder().pattern(P24).steps(4).seed(5).logEvery(4).build();
        assertEquals(new MaskLlmLearner(llm).learn(model(), TRAIN, bytes).masks(),
                new MaskLlmLearner(llm).learn(model(), TRAIN, asFloat(bytes)).masks(), "MaskLLM from a FLOAT prior");

        MaskPolicy policy = MaskPolicy.fromPrior(P24, a.weights(), asFloat(bytes), 3);
        INDArray prior = policy.priorMask();
        assertEquals(DataType.BYTE, prior.dataType());
        assertEquals(bytes.get("hidden/W"), policy.slice(prior, 0));
    }

    @Test
    void fineTuningAndReconstructionTakeFloatMasksAndHoldTheSameResults() {
        Map<String, INDArray> bytes = new MagnitudePrior().masks(model(), TRAIN);
        FineTuneConfig config = FineTuneConfig.builder().steps(4).learningRate(1e-2).logEvery(4).build();
        MultiLayerNetworkModel a = model();
        MultiLayerNetworkModel b = model();
        new MaskedFineTuner(config, null).tune(a, TRAIN, bytes);
        new MaskedFineTuner(config, null).tune(b, TRAIN, asFloat(bytes));
        MultiLayerNetworkModel c = model();
        MultiLayerNetworkModel d = model();
        WeightReconstructor reconstructor = WeightReconstructor.builder().build();
        reconstructor.reconstruct(c, TRAIN, bytes);
        reconstructor.reconstruct(d, TRAIN, asFloat(bytes));
        for (int i = 0; i < a.weights().size(); i++) {
            MaskableWeight w = a.weights().get(i);
            assertEquals(w.live(), b.weights().get(i).live(), "fine-tuned " + w.name());
            assertEquals(c.weights().get(i).live(), d.weights().get(i).live(), "reconstructed " + w.name());
            INDArray pruned = w.live().mul(w.layout().fromGroups(bytes.get(w.name()).castTo(DataType.FLOAT)).rsub(1.0));
            assertEquals(0.0, pruned.amaxNumber().doubleValue(), w.name() + " keeps a pruned weight");
        }
    }

    @Test
    void byteMasksPassThroughAndOtherTypesMustHoldOnlyZerosAndOnes() {
        INDArray bytes = Nd4j.createFromArray(new byte[][] {{1, 0, 1, 0}});
        assertSame(bytes, ByteMasks.of(bytes));
        assertEquals(bytes, ByteMasks.of(bytes.castTo(DataType.DOUBLE)));
        assertEquals(bytes, ByteMasks.of(bytes.castTo(DataType.INT32)));
        assertSame(bytes, ByteMasks.ofBinary(bytes));
        assertEquals(bytes, ByteMasks.ofBinary(bytes.castTo(DataType.FLOAT)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ByteMasks.of(Map.of("fc/W", Nd4j.createFromArray(new float[][] {{1, 0, 0.5f, 0}}))));
        assertTrue(e.getMessage().contains("'fc/W'") && e.getMessage().contains("0 and 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ByteMasks.of(Nd4j.createFromArray(new float[][] {{1, 0, Float.NaN, 0}})));
    }
}
