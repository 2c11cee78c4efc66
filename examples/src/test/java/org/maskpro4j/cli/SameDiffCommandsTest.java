package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.examples.data.FashionMnist;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * {@code prune}, {@code verify}, {@code eval} on a SameDiff file: a 784-128-10 MLP written with SameDiff's own API,
 * trained here on real Fashion-MNIST and saved with its training configuration, as a SameDiff user would.
 */
@Tag("slow")
class SameDiffCommandsTest {
    private static Path model;

    @BeforeAll
    static void trainAndSave(@TempDir Path dir) {
        CliTestData.fashionCnn(); // skips when Fashion-MNIST is absent
        Nd4j.getRandom().setSeed(5);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 784);
        SDVariable y = sd.placeHolder("label", DataType.FLOAT, -1, 10);
        SDVariable w0 = sd.var("w0", new XavierInitScheme('c', 784, 128), DataType.FLOAT, 784, 128);
        SDVariable b0 = sd.zero("b0", DataType.FLOAT, 1, 128);
        SDVariable w1 = sd.var("w1", new XavierInitScheme('c', 128, 10), DataType.FLOAT, 128, 10);
        SDVariable b1 = sd.zero("b1", DataType.FLOAT, 1, 10);
        SDVariable hidden = sd.nn.relu(sd.mmul(x, w0).add(b0), 0);
        SDVariable logits = sd.mmul("logits", hidden, w1).add(b1);
        sd.loss.softmaxCrossEntropy("loss", y, logits, null);
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3)).dataSetFeatureMapping("input")
                .dataSetLabelMapping("label").build());
        DataSet train = FashionMnist.atDefaultDirectory().load(FashionMnist.Split.TRAIN, 6000);
        INDArray flat = train.getFeatures().reshape('c', train.numExamples(), 784);
        sd.fit(new ListDataSetIterator<>(new DataSet(flat, train.getLabels()).batchBy(64), 1), 2);
        model = dir.resolve("fashion-mlp.fb");
        sd.save(model.toFile(), true);
    }

    @Test
    void evalShowsAccuracyWhenTheLossIsMseOnOneHotLabels(@TempDir Path dir) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 784);
        SDVariable y = sd.placeHolder("label", DataType.FLOAT, -1, 10);
        SDVariable w = sd.var("w", new XavierInitScheme('c', 784, 10), DataType.FLOAT, 784, 10);
        SDVariable out = sd.nn.softmax("out", sd.mmul(x, w), 1);
        // MSE written out, as many SameDiff users do: the loss op's input is not the labels themselves
        sd.math.squaredDifference(out, y).mean("loss");
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3)).dataSetFeatureMapping("input")
                .dataSetLabelMapping("label").build());
        Path file = dir.resolve("mse.fb");
        sd.save(file.toFile(), true);
        Map<String, Object> json = CliRun.of("eval", "--model", file.toString(), "--data", CliTestData.FASHION.toString(),
                "--eval-examples", "200", "--json").assertExit(0).json();
        assertTrue(json.get("accuracy") instanceof Number, () -> "no accuracy for an MSE loss on one-hot labels: " + json);
    }

    @Test
    @SuppressWarnings("unchecked")
    void prunesASameDiffFileIntoAStrictSameDiffFileThatEvaluatesAsMeasured(@TempDir Path dir) {
        Map<String, Object> dense = CliRun.of("eval", "--model", model.toString(), "--data", CliTestData.FASHION.toString(),
                "--eval-examples", "1000", "--json").assertExit(0).json();
        assertTrue(((Number) dense.get("accuracy")).doubleValue() > 0.75, () -> "trained MLP: " + dense);

        Map<String, Object> verifiedDense = CliRun.of("verify", "--model", model.toString(), "--pattern", "2:4", "--json")
                .assertExit(1).json();
        assertEquals(false, verifiedDense.get("strict"));

        Map<String, Object> quality = new LinkedHashMap<>();
        for (String method : List.of("magnitude", "wanda", "maskpro")) {
            Path out = dir.resolve(method + ".fb");
            Map<String, Object> json = CliRun.of("prune", "--model", model.toString(), "--data", CliTestData.FASHION.toString(),
                    "--method", method, "--prior", "magnitude", "--steps", "60", "--update", "raw", "--lr", "400", "--logits", "6",
                    "--samples", "4", "--examples", "512", "--eval-examples", "1000", "--out", out.toString(), "--json")
                    .assertExit(0).json();
            Map<String, Object> pruned = (Map<String, Object>) ((Map<String, Object>) json.get("metrics")).get("pruned");
            quality.put(method, pruned);

            Map<String, Object> verified = CliRun.of("verify", "--model", out.toString(), "--pattern", "2:4", "--json")
                    .assertExit(0).json();
            assertEquals(true, verified.get("strict"));
            List<Map<String, Object>> layers = (List<Map<String, Object>>) verified.get("layers");
            assertEquals(List.of("w0", "w1"), layers.stream().map(l -> l.get("name")).toList());

            Map<String, Object> reEval = CliRun.of("eval", "--model", out.toString(), "--data", CliTestData.FASHION.toString(),
                    "--eval-examples", "1000", "--json").assertExit(0).json();
            assertEquals(((Number) pruned.get("loss")).doubleValue(), ((Number) reEval.get("loss")).doubleValue(), 1e-6);
            assertEquals(((Number) pruned.get("accuracy")).doubleValue(), ((Number) reEval.get("accuracy")).doubleValue(), 1e-12);
        }
        System.out.println("SameDiff Fashion MLP 2:4 held-out: dense " + dense + ", " + quality);
        double magnitude = ((Number) ((Map<String, Object>) quality.get("magnitude")).get("loss")).doubleValue();
        double maskpro = ((Number) ((Map<String, Object>) quality.get("maskpro")).get("loss")).doubleValue();
        assertTrue(maskpro < magnitude, "MaskPro from the magnitude prior " + maskpro + " vs magnitude " + magnitude);
    }

    /** Sweeps run on SameDiff models like on DL4J ones; here scored by held-out error. */
    @Test
    @SuppressWarnings("unchecked")
    void sweepsASameDiffModelByHeldOutError(@TempDir Path dir) {
        Map<String, Object> json = CliRun.of("sweep", "--model", model.toString(), "--data", CliTestData.FASHION.toString(),
                "--candidates", "2", "--lr", "100:1000", "--logits", "6", "--samples", "2", "--steps", "15", "--prior",
                "magnitude", "--score", "error", "--examples", "256", "--eval-examples", "1000", "--seed", "3",
                "--out", dir.toString(), "--json").assertExit(0).json();
        assertEquals("held-out error (1 - accuracy)", json.get("scoreName"));
        double denseError = 1 - ((Number) ((Map<String, Object>) json.get("dense")).get("accuracy")).doubleValue();
        for (Map<String, Object> c : (List<Map<String, Object>>) json.get("candidates")) {
            assertEquals("ok", c.get("status"), c::toString);
            double error = ((Number) c.get("score")).doubleValue();
            // a 2:4 mask costs accuracy, and no mask makes an MLP worse than guessing among 10 classes
            assertTrue(error >= denseError && error < 0.9, () -> "error " + error + " vs dense " + denseError);
        }
    }
}
