package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A Keras 2 {@code .h5} model imported through DL4J's KerasModelImport. Besides the DL4J data formats it reads
 * plain text for character-level recurrent models: one-hot windows over the lower-cased text's sorted character
 * set (the convention of the usual Keras char-RNN scripts), each labelled with the character that follows.
 * Saving writes a DL4J zip (this tool does not write HDF5).
 */
final class KerasWorkload extends Dl4jWorkload {

    private KerasWorkload(Model model) {
        super(model, "keras");
    }

    static KerasWorkload importH5(Path file) throws IOException {
        try (KerasModelBuilder builder = new KerasModelBuilder(new KerasModelConfiguration())) {
            builder.modelHdf5Filename(file.toString()).enforceTrainingConfig(false);
            // M2.1 can stall for minutes drawing Orthogonal initial weights that the file's weights then replace
            builder.modelJson(builder.getModelJson().replace("\"Orthogonal\"", "\"GlorotUniform\""));
            if (builder.getModelJson().contains("\"class_name\": \"Sequential\"")
                    || builder.getModelJson().contains("\"class_name\":\"Sequential\"")) {
                return new KerasWorkload(builder.buildSequential().getMultiLayerNetwork());
            }
            KerasModel model = builder.buildModel();
            return new KerasWorkload(model.getComputationGraph());
        } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException e) {
            throw new UserError("Cannot import Keras model " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected DataSet read(Path path, boolean train, int maxExamples) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isRegularFile(path) && (name.endsWith(".txt") || name.endsWith(".text"))) {
            return charWindows(Files.readString(path, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT), train, maxExamples, path);
        }
        return super.read(path, train, maxExamples);
    }

    /** Training windows start at the beginning of the text; held-out windows come from its last tenth. */
    private DataSet charWindows(String text, boolean train, int maxExamples, Path path) {
        if (!(model() instanceof MultiLayerNetwork net) || net.getLayer(0).getParam("W") == null) {
            throw new UserError("Text data needs a character-level recurrent model; " + path + " does not fit this model");
        }
        long features = net.getLayer(0).getParam("W").size(0);
        TreeSet<Character> vocabulary = new TreeSet<>();
        text.chars().forEach(c -> vocabulary.add((char) c));
        if (vocabulary.size() != features) {
            throw new UserError("The text " + path + " has " + vocabulary.size() + " distinct characters but the model's"
                    + " input has " + features + ": use the text the model was trained on");
        }
        int window = 40;
        int first = train ? 0 : (int) (text.length() * 0.9);
        int count = Math.min(maxExamples, text.length() - window - first);
        if (count <= 0) {
            throw new UserError("The text " + path + " is too short for " + window + "-character windows");
        }
        Character[] chars = vocabulary.toArray(new Character[0]);
        int[] index = new int[Character.MAX_VALUE + 1];
        for (int i = 0; i < chars.length; i++) {
            index[chars[i]] = i;
        }
        INDArray x = Nd4j.zeros(DataType.FLOAT, count, features, window);
        INDArray y = Nd4j.zeros(DataType.FLOAT, count, features);
        for (int n = 0; n < count; n++) {
            for (int t = 0; t < window; t++) {
                x.putScalar(n, index[text.charAt(first + n + t)], t, 1);
            }
            y.putScalar(n, index[text.charAt(first + n + window)], 1);
        }
        return new DataSet(x, y);
    }
}
