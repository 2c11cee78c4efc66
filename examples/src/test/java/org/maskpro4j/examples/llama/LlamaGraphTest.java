package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real stories260K model as a SameDiff graph: generation, perplexity against the independent reference
 * (../shared/docs/reference-results.md), magnitude N:M pruning, calibration inputs and export.
 */
@Tag("slow")
class LlamaGraphTest extends RealLlamaTest {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaGraphTest.class);

    private Llama2cTokenizer tokenizer;
    private LlamaGraph graph;
    private PerplexityEvaluator valid;
    private List<LlamaBatch> trainBatches;
    private final List<LlamaMaskableModel> models = new ArrayList<>();

    @Override
    void load(Llama2cCheckpoint checkpoint) throws Exception {
        tokenizer = Llama2cTokenizer.read(LlamaTestData.tokenizer(), checkpoint.config().vocabSize());
        graph = LlamaGraph.build(checkpoint);
        valid = PerplexityEvaluator.forText(graph, tokenizer, LlamaTestData.valid());
        trainBatches = LlamaBatches.fromText(LlamaTestData.train(), tokenizer, checkpoint.config().seqLen(), 8, 16);
    }

    @AfterEach
    void restoreDenseWeights() {
        for (LlamaMaskableModel model : models) {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    private LlamaMaskableModel model(NmPattern pattern) {
        LlamaMaskableModel model = new LlamaMaskableModel(graph, pattern);
        models.add(model);
        return model;
    }

    @Test
    void greedyGenerationFromBosTellsTheKnownStory() {
        int[] tokens = GreedyDecoder.generate(graph, new int[] {Llama2cTokenizer.BOS}, 32);
        String text = tokenizer.decode(tokens);
        LOG.info("Greedy sample from BOS: {}", text);
        assertTrue(text.startsWith("Once upon a time, there was a little girl named Lily. She loved to play outside in the park"),
                text);
    }

    @Test
    void densePerplexityOnValidMatchesReference() {
        long start = System.nanoTime();
        Perplexity p = valid.evaluate();
        LOG.info("Dense valid {} in {} ms ({} batches)", p, (System.nanoTime() - start) / 1_000_000, valid.batches().size());
        assertEquals(72_620, p.tokens());
        assertEquals(1.8542, p.meanNll(), 2e-4);
        assertEquals(6.387, p.perplexity(), 0.005);
    }

    @Test
    void magnitudeTwoFourOnAllLinearWeightsMatchesReference() {
        LlamaMaskableModel model = model(NmPattern.of(2, 4));
        assertEquals(35, model.weights().size());
        assertTrue(model.skipped().isEmpty(), model.skipped().toString());
        applyMagnitude(model);
        Perplexity p = valid.evaluate();
        LOG.info("Magnitude 2:4 valid {}", p);
        assertEquals(124.42, p.perplexity(), 0.5);
    }

    @Test
    void magnitudeFourEightLeavesW2DenseAndMatchesReference() {
        LlamaMaskableModel model = model(NmPattern.of(4, 8));
        assertEquals(30, model.weights().size());
        assertEquals(5, model.skipped().size());
        for (String reason : model.skipped()) {
            assertTrue(reason.matches("layers\\.\\d\\.w2 \\[64, 172\\]: fan-in 172 is not a multiple of M=8.*"), reason);
        }
        applyMagnitude(model);
        Perplexity p = valid.evaluate();
        LOG.info("Magnitude 4:8 (w2 dense) valid {}", p);
        // reference-results.md: 56.34 with w2 dense (the data README's 82.26 groups w2 across row ends, see report)
        assertEquals(56.34, p.perplexity(), 0.5);
    }

    private static void applyMagnitude(LlamaMaskableModel model) {
        for (MaskableWeight w : model.weights()) {
            INDArray mask = TopN.mask(w.layout().toGroups(Transforms.abs(w.dense())), model.pattern());
            w.applyMask(mask);
            Strictness.Report report = Strictness.check(w.layout().toGroups(w.live()).neq(0), model.pattern());
            assertTrue(report.strict(), report.describe(w.name(), model.pattern()));
        }
    }

    @Test
    void weightsComeInForwardOrderAndMaskingChangesOnlyTheLiveVariable() {
        LlamaMaskableModel model = model(NmPattern.of(2, 4));
        List<String> names = model.weights().stream().map(MaskableWeight::name).toList();
        assertEquals(List.of("layers.0.wq", "layers.0.wk", "layers.0.wv", "layers.0.wo", "layers.0.w1", "layers.0.w2",
                "layers.0.w3", "layers.1.wq"), names.subList(0, 8));
        assertEquals("layers.4.w3", names.get(34));
        LlamaBatch batch = trainBatches.get(0);
        double dense = model.loss(batch);
        MaskableWeight w1 = model.weights().get(4);
        w1.applyMask(TopN.mask(w1.layout().toGroups(Transforms.abs(w1.dense())), model.pattern()));
        assertTrue(graph.weight("layers.0.w1") == w1.live(), "live must be the SameDiff variable's own array");
        double masked = model.loss(batch);
        assertTrue(masked > dense, "masking half of layers.0.w1 should hurt: " + dense + " -> " + masked);
        w1.restoreDense();
        assertEquals(dense, model.loss(batch), 1e-6);
    }

    @Test
    void paddingAndBatchCompositionDoNotChangeScores() {
        List<int[]> sequences = LlamaBatches.encode(List.of("The cat sat on the mat.",
                "Once upon a time, there was a big red ball. Tom liked to kick it high into the sky."), tokenizer, 512);
        LlamaBatch alone = LlamaBatches.batch(sequences.subList(0, 1));
        LlamaBatch padded = LlamaBatches.batch(sequences);
        INDArray aloneNll = graph.output(alone, LlamaGraph.TOKEN_NLL).get(LlamaGraph.TOKEN_NLL);
        INDArray paddedNll = graph.output(padded, LlamaGraph.TOKEN_NLL).get(LlamaGraph.TOKEN_NLL);
        long n = alone.length();
        assertTrue(padded.length() > n);
        INDArray firstRow = paddedNll.get(NDArrayIndex.interval(0, n));
        assertTrue(aloneNll.equalsWithEps(firstRow, 1e-4), aloneNll + " vs " + firstRow);
        LlamaGraph.Nll nll = graph.nll(padded);
        assertEquals(sequences.get(0).length + sequences.get(1).length - 2, nll.tokens());
        assertEquals(nll.sum() / nll.tokens(), graph.loss(padded), 1e-5);
        assertEquals(List.of(2L, padded.length(), 512L), List.of(graph.logits(padded).shape()[0],
                graph.logits(padded).shape()[1], graph.logits(padded).shape()[2]));
    }

    @Test
    void inputRowsAreTheScoredActivationsEachWeightMultiplies() {
        LlamaMaskableModel model = model(NmPattern.of(2, 4));
        LlamaBatch batch = trainBatches.get(0);
        long scored = batch.scoredTokens();
        assertTrue(scored < batch.batchSize() * batch.length(), "the batch should contain padding");
        Map<String, INDArray> rows = model.inputRows(model.weights().subList(0, 7), batch);
        assertEquals(List.of(scored, 64L), shape(rows.get("layers.0.wq")));
        assertEquals(List.of(scored, 64L), shape(rows.get("layers.0.wo")));
        assertEquals(List.of(scored, 64L), shape(rows.get("layers.0.w1")));
        assertEquals(List.of(scored, 172L), shape(rows.get("layers.0.w2")));

        INDArray w2Rows = rows.get("layers.0.w2").dup();
        model.inputRows(model.weights().get(5), trainBatches.get(1));
        assertEquals(w2Rows, rows.get("layers.0.w2"), "returned rows must survive later forward passes");

        MaskableWeight wq = model.weights().get(0);
        INDArray x = model.inputRows(wq, batch);
        assertTrue(x.equalsWithEps(rows.get("layers.0.wq"), 1e-6));
        INDArray q = graph.output(batch, LlamaNames.layer(0, LlamaNames.QUERY)).get(LlamaNames.layer(0, LlamaNames.QUERY));
        int[] scoredIndex = Nd4j.where(batch.lossMask().reshape(-1).gt(0), null, null)[0].toIntVector();
        INDArray expected = Nd4j.pullRows(q, 1, scoredIndex);
        INDArray recomputed = x.mmul(wq.live().transpose());
        assertTrue(recomputed.equalsWithEps(expected, 1e-4), "rows(wq) · wqᵀ must equal the q projection");
        assertThrows(IllegalArgumentException.class, () -> new LlamaMaskableModel(graph, NmPattern.of(2, 4), List.of("wx")));
    }

    @Test
    void exportedPrunedCheckpointRunsWithTheSameLoss(@TempDir Path dir) throws Exception {
        LlamaMaskableModel model = model(NmPattern.of(2, 4));
        applyMagnitude(model);
        LlamaBatch batch = trainBatches.get(1);
        double pruned = model.loss(batch);
        Path file = dir.resolve("pruned.bin");
        graph.toCheckpoint().write(file);
        assertEquals(Files.size(LlamaTestData.model()), Files.size(file));
        LlamaGraph reloaded = LlamaGraph.build(Llama2cCheckpoint.read(file));
        assertEquals(pruned, reloaded.loss(batch), 1e-6);
        INDArray wq = reloaded.weight("layers.2.wq");
        assertEquals(0.5, wq.eq(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).meanNumber().doubleValue(), 1e-3);
    }

    private static List<Long> shape(INDArray a) {
        return List.of(a.shape()[0], a.shape()[1]);
    }
}
