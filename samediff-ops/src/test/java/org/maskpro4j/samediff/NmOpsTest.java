package org.maskpro4j.samediff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.nm.TopN;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The SameDiff N:M ops against the ND4J reference, inside a graph that is trained, saved and loaded again. */
class NmOpsTest {

    private static INDArray randn(long seed, long... shape) {
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed)) {
            return Nd4j.randn(rng, shape).castTo(DataType.FLOAT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Scores rounded to a few levels, so most groups hold exact ties that the lower index must win. */
    @ParameterizedTest
    @CsvSource({"2:4", "4:8", "1:4", "8:16"})
    void testTopNMask_EqualsTopNWithTies(String text) {
        NmPattern pattern = NmPattern.parse(text);
        INDArray scores = Transforms.round(randn(5, 500, pattern.m()).muli(1.5));
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.constant("scores", scores);
        NmOps.topNMask(sd, "mask", in, pattern);
        INDArray mask = sd.outputSingle(Map.of(), "mask");
        assertEquals(TopN.mask(scores, pattern), mask);
        assertEquals(DataType.FLOAT, mask.dataType());
    }

    @ParameterizedTest
    @CsvSource({"IN_OUT, 16x6", "OUT_IN, 6x16", "CONV2D_OIHW, 5x8x3x2"})
    void testGroups_MatchGroupLayout(GroupLayout.Kind kind, String dims) {
        long[] shape = java.util.Arrays.stream(dims.split("x")).mapToLong(Long::parseLong).toArray();
        GroupLayout layout = GroupLayout.of("w", kind, shape, NmPattern.parse("2:4"));
        INDArray w = randn(9, shape);
        SameDiff sd = SameDiff.create();
        SDVariable groups = NmOps.toGroups(sd, "groups", sd.constant("w", w), layout);
        NmOps.fromGroups(sd, "back", groups, layout);
        Map<String, INDArray> out = sd.output(Map.of(), "groups", "back");
        assertEquals(layout.toGroups(w), out.get("groups"));
        assertEquals(w, out.get("back"));
    }

    /** Four gaussian classes in 16 dimensions around fixed centres. */
    private static DataSet classes(long seed, int n) {
        INDArray centres = randn(42, 4, 16).muli(1.5);
        INDArray x = randn(seed, n, 16);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 4);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 4, 1);
            x.getRow(i).addi(centres.getRow(i % 4));
        }
        return new DataSet(x, labels);
    }

    private static final GroupLayout HIDDEN = GroupLayout.of("w1", GroupLayout.Kind.IN_OUT, new long[] {16, 32},
            NmPattern.parse("2:4"));

    /**
     * x → (W1 ⊙ top-2-of-4 |W1|) → ReLU → W2 → softmax: the hidden layer is 2:4 sparse by construction, with the mask
     * recomputed from the magnitudes in the graph at every step of training.
     */
    private static SameDiff magnitudeMaskedMlp() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 16);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, 4);
        SDVariable w1 = sd.var("w1", randn(1, 16, 32).muli(0.3));
        SDVariable b1 = sd.var("b1", Nd4j.zeros(DataType.FLOAT, 1, 32));
        SDVariable w2 = sd.var("w2", randn(2, 32, 4).muli(0.3));
        SDVariable mask = NmOps.topNWeightMask(sd, "w1_mask", sd.math().abs(w1), HIDDEN);
        SDVariable sparse = NmOps.maskedWeight(sd, "w1_sparse", w1, mask);
        SDVariable hidden = sd.nn().relu(x.mmul(sparse).add(b1), 0);
        SDVariable out = sd.nn().softmax("out", hidden.mmul(w2), 1);
        sd.loss().softmaxCrossEntropy("loss", y, hidden.mmul(w2), null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2)).dataSetFeatureMapping("x")
                .dataSetLabelMapping("y").build());
        return sd;
    }

    private static INDArray expectedSparse(INDArray w1) {
        INDArray mask = HIDDEN.fromGroups(TopN.mask(HIDDEN.toGroups(Transforms.abs(w1)), HIDDEN.pattern()));
        return w1.mul(mask);
    }

    private static double accuracy(INDArray probabilities, INDArray labels) {
        return probabilities.argMax(1).eq(labels.argMax(1)).castTo(DataType.FLOAT).meanNumber().doubleValue();
    }

    @Test
    void testMaskedWeight_InTrainedGraph_EqualsNd4jAndSurvivesSaveLoad(@TempDir Path dir) throws Exception {
        SameDiff sd = magnitudeMaskedMlp();
        DataSet train = classes(3, 512);
        DataSet test = classes(4, 256);
        double before = sd.outputSingle(Map.of("x", test.getFeatures(), "y", test.getLabels()), "loss").getDouble(0);
        sd.fit(new ViewIterator(train, 64), 5);
        double after = sd.outputSingle(Map.of("x", test.getFeatures(), "y", test.getLabels()), "loss").getDouble(0);
        assertTrue(after < before * 0.5, "the sparse graph trains: held-out loss " + before + " -> " + after);

        Map<String, INDArray> placeholders = Map.of("x", test.getFeatures());
        Map<String, INDArray> out = sd.output(placeholders, "w1_sparse", "out");
        INDArray w1 = sd.getVariable("w1").getArr();
        INDArray sparse = out.get("w1_sparse");
        assertEquals(expectedSparse(w1), sparse, "W ⊙ top-N mask, as ND4J computes it");
        assertTrue(Strictness.check(HIDDEN.toGroups(sparse.neq(0).castTo(DataType.FLOAT)), HIDDEN.pattern()).strict());
        INDArray reference = Transforms.softmax(Transforms.relu(test.getFeatures().mmul(expectedSparse(w1))
                .addRowVector(sd.getVariable("b1").getArr())).mmul(sd.getVariable("w2").getArr()));
        assertTrue(reference.equalsWithEps(out.get("out"), 1e-5), "the graph computes with W ⊙ mask");
        assertTrue(accuracy(out.get("out"), test.getLabels()) > 0.9, "held-out accuracy of the 2:4 graph");

        File file = dir.resolve("sparse-mlp.fb").toFile();
        sd.save(file, true);
        SameDiff loaded = SameDiff.load(file, true);
        Map<String, INDArray> reloaded = loaded.output(placeholders, "w1_sparse", "out");
        assertEquals(sparse, reloaded.get("w1_sparse"));
        assertEquals(out.get("out"), reloaded.get("out"));
    }

    /** A learned mask fed as a placeholder: the graph computes x·(W ⊙ mask), before and after a save/load. */
    @Test
    void testMaskedWeight_WithPlaceholderMask(@TempDir Path dir) throws Exception {
        GroupLayout layout = GroupLayout.of("w", GroupLayout.Kind.OUT_IN, new long[] {8, 24}, NmPattern.parse("4:8"));
        INDArray w = randn(6, 8, 24);
        INDArray mask = layout.fromGroups(TopN.mask(randn(7, layout.groupCount(), 8), layout.pattern()));
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 24);
        SDVariable m = sd.placeHolder("mask", DataType.FLOAT, 8, 24);
        SDVariable sparse = NmOps.maskedWeight(sd, "w_sparse", sd.var("w", w), m);
        sd.mmul("y", x, sparse, false, true, false);
        INDArray input = randn(8, 5, 24);
        Map<String, INDArray> feed = Map.of("x", input, "mask", mask);
        INDArray expected = input.mmul(w.mul(mask).transpose());
        assertTrue(expected.equalsWithEps(sd.outputSingle(feed, "y"), 1e-5));

        File file = dir.resolve("masked.fb").toFile();
        sd.save(file, true);
        assertTrue(expected.equalsWithEps(SameDiff.load(file, true).outputSingle(feed, "y"), 1e-5));
    }
}
