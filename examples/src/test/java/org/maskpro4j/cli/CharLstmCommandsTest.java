package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.testing.RequiredData;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A DL4J character model (LSTM under an RnnOutputLayer, 65 inputs for tinyshakespeare's 65 characters) saved by
 * ModelSerializer: {@code eval} and {@code prune} read a plain text file as character sequences, as they do for Keras
 * char-RNNs (before, the CLI refused text for DL4J models).
 */
class CharLstmCommandsTest {
    @Test
    @SuppressWarnings("unchecked")
    void evalAndPruneReadATextFileForADl4jCharLstm(@TempDir Path dir) throws IOException {
        Path text = RequiredData.shared("text/tinyshakespeare.txt");
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new LSTM.Builder().nIn(65).nOut(32).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(32).nOut(65).build())
                .build());
        net.init();
        Path model = dir.resolve("char-lstm.zip");
        ModelSerializer.writeModel(net, model.toFile(), false);

        Map<String, Object> eval = CliRun.of("eval", "--model", model.toString(), "--data", text.toString(),
                "--eval-examples", "8", "--json").assertExit(0).json();
        assertEquals(8, ((Number) eval.get("examples")).intValue(), () -> "eval: " + eval);
        assertTrue(eval.get("accuracy") instanceof Number && eval.get("loss") instanceof Number, () -> "eval: " + eval);

        Path out = dir.resolve("pruned.zip");
        Map<String, Object> pruned = CliRun.of("prune", "--model", model.toString(), "--data", text.toString(),
                "--method", "magnitude", "--examples", "16", "--eval-examples", "8", "--batch", "8", "--out", out.toString(),
                "--json").assertExit(0).json();
        assertTrue(((Map<String, Object>) pruned.get("metrics")).containsKey("pruned"), () -> "prune: " + pruned);
        assertEquals(true, CliRun.of("verify", "--model", out.toString(), "--pattern", "2:4", "--json").assertExit(0)
                .json().get("strict"));
    }
}
