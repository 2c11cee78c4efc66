package org.maskpro4j.examples.llama.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaDifferentiableModel;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.method.ChosenPrior;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.OneShotOptions;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.testing.OneNativeThread;
import org.maskpro4j.testing.RequiredData;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result table's reuse of one method run across rows, on the real stories260K model: a recovery row that starts
 * from the SparseGPT row's result computes with exactly the weights a fresh SparseGPT run leaves, and the MaskLLM
 * row's equal budget counts the forward passes MaskPro really runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReusedMasksTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private OneNativeThread threads;
    private LlamaGraph graph;
    private List<LlamaBatch> calibration;
    private List<LlamaBatch> train;

    private static Path dir() {
        return RequiredData.sharedDirectory().resolve("llama2c");
    }

    @BeforeAll
    void load() throws Exception {
        if (!Files.isRegularFile(dir().resolve("stories260K.bin"))) {
            return;
        }
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(dir().resolve("stories260K.bin")); // loads the backend
        threads = new OneNativeThread();
        graph = LlamaGraph.build(checkpoint);
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(dir().resolve("tok512.bin"), checkpoint.config().vocabSize());
        List<int[]> paragraphs = LlamaBatches.encode(LlamaBatches.readParagraphs(dir().resolve("tinystories_train.txt"))
                .subList(0, 28), tokenizer, checkpoint.config().seqLen());
        calibration = CalibrationBatches.everyPosition(paragraphs.subList(0, 16), 8);
        train = LlamaBatches.batches(paragraphs.subList(16, 28), 4);
    }

    @AfterAll
    void restoreThreads() {
        if (threads != null) {
            threads.close();
        }
    }

    @BeforeEach
    void requireData() {
        RequiredData.require(graph != null, "the stories260K model, its tokenizer and TinyStories splits in "
                + dir().toAbsolutePath());
    }

    @Test
    void recoveryRowsStartFromExactlyWhatTheSparseGptRowLeft() {
        LlamaMaskableModel model = new LlamaMaskableModel(graph, P24);
        LlamaBatch batch = train.get(0);
        try {
            PipelineResult run = MaskPipeline.builder().method(MaskMethods.create("sparsegpt", MethodSettings.of(P24)))
                    .build().run(model, calibration, null);
            double updated = model.loss(batch);
            Map<String, INDArray> live = ReusedMasks.liveWeights(model);
            ChosenPrior sparseGpt = new ChosenPrior("sparsegpt", run.masks(), null);
            model.weights().forEach(MaskableWeight::restoreDense);

            // the fine-tuning row's path: the differentiable view, made on dense weights
            LlamaDifferentiableModel differentiable = new LlamaDifferentiableModel(graph, model);
            PipelineResult reused = MaskPipeline.builder().method(ReusedMasks.withWeights(sparseGpt, live)).build()
                    .run(differentiable, calibration, null);
            assertEquals(updated, differentiable.loss(batch), 0.0, "the reused result computes as the SparseGPT run did");
            assertTrue(reused.verified().strict());
            assertTrue(reused.mask().weightsUpdated());
            assertEquals(run.masks().keySet(), reused.masks().keySet());

            model.weights().forEach(MaskableWeight::restoreDense);
            MaskPipeline.builder().method(ReusedMasks.onDense(sparseGpt)).build().run(model, calibration, null);
            double maskOnly = model.loss(batch);
            for (MaskableWeight w : model.weights()) {
                w.applyMask(run.masks().get(w.name()));
            }
            assertEquals(maskOnly, model.loss(batch), 0.0, "on dense weights: the masks alone");
            assertNotEquals(updated, maskOnly, "SparseGPT's update changes the loss, so the two reuses differ");
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    @Test
    void aResultWithoutSomeWeightIsRefusedNamingIt() {
        LlamaMaskableModel model = new LlamaMaskableModel(graph, P24);
        Map<String, INDArray> masks = new HashMap<>(MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS)
                .masks(model, calibration));
        masks.remove("layers.3.w2");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskPipeline.builder()
                    .method(ReusedMasks.onDense(new ChosenPrior("magnitude", masks, null))).build()
                    .run(model, calibration, null));
            assertTrue(e.getMessage().contains("'layers.3.w2'"), e.getMessage());
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    @Test
    void equalBudgetCountsTheForwardPassesMaskProRuns() {
        LlamaMaskableModel model = new LlamaMaskableModel(graph, P24);
        Map<String, INDArray> prior = MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS).masks(model, calibration);
        CountingModel counting = new CountingModel(model);
        long steps = 5;
        int samples = 2;
        try {
            new MaskProLearner(MaskProConfig.builder().pattern(P24).steps(steps).samplesPerStep(samples).build(), null)
                    .learn(counting, train, prior);
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
        // 3 batches: 5 steps x 2 samples, and the prior's loss once per batch (cached by batch key)
        assertEquals(13, LlamaResults.maskProPasses(steps, samples, train.size()));
        assertEquals(LlamaResults.maskProPasses(steps, samples, train.size()), counting.losses.get());
    }

    /** The real model, counting its forward passes. */
    private record CountingModel(LlamaMaskableModel model, AtomicInteger losses) implements MaskableModel<LlamaBatch> {
        CountingModel(LlamaMaskableModel model) {
            this(model, new AtomicInteger());
        }

        @Override
        public List<MaskableWeight> weights() {
            return model.weights();
        }

        @Override
        public double loss(LlamaBatch batch) {
            losses.incrementAndGet();
            return model.loss(batch);
        }

        @Override
        public INDArray inputRows(MaskableWeight weight, LlamaBatch batch) {
            return model.inputRows(weight, batch);
        }

        @Override
        public String batchKey(LlamaBatch batch) {
            return model.batchKey(batch);
        }
    }
}
