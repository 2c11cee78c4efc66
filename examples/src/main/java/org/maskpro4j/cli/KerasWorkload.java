package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.hdf5.global.hdf5;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.cli.LabelledData.Part;
import org.maskpro4j.examples.data.TextFiles;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Keras 2 {@code .h5} model imported through DL4J's KerasModelImport, with the loss of its training
 * configuration (a model saved after {@code compile()}). Besides the DL4J data formats it reads plain text for
 * character-level recurrent models: one-hot windows, as long as the model's {@code batch_input_shape} says, over
 * the lower-cased text's sorted character set (the convention of the usual Keras char-RNN scripts), each labelled
 * with the character that follows. Training windows come from the text's first 90 %, held-out windows from its
 * last 10 %; a text given with {@code --valid} is held out as a whole, from its first character.
 * Saving writes a DL4J zip (this tool does not write HDF5).
 */
final class KerasWorkload extends Dl4jWorkload {
    private static final Logger log = LoggerFactory.getLogger(KerasWorkload.class);
    private static final double TRAIN_SHARE = 0.9;
    private static final Pattern WINDOW = Pattern.compile("\"batch_input_shape\"\\s*:\\s*\\[\\s*null\\s*,\\s*(\\d+)\\s*,");

    /** Time steps per input window declared by the Keras model, or 0 when it declares none. */
    private final int window;

    private KerasWorkload(Model model, int window, Path file) {
        super(model, "keras", file.toString());
        this.window = window;
    }

    static KerasWorkload importH5(Path file) throws IOException {
        long t0 = System.nanoTime();
        if (!ModelLoader.isHdf5(file)) {
            // the HDF5 library would print pages of diagnostics before failing
            throw new UserError(file + " is not an HDF5 file: --format keras reads Keras 2 .h5 models");
        }
        silenceHdf5Diagnostics();
        try (KerasModelBuilder builder = new KerasModelBuilder(new KerasModelConfiguration())) {
            // the training configuration carries the loss, without which masks cannot be scored
            builder.modelHdf5Filename(file.toString()).enforceTrainingConfig(true);
            if (builder.getModelJson() == null) {
                throw new UserError(file + " holds no model configuration (weights only?): save the whole model with"
                        + " model.save(\"model.h5\")");
            }
            // M2.1 stalls for minutes (measured > 5 min) drawing Orthogonal initial weights that the file's weights replace
            String json = builder.getModelJson().replace("\"Orthogonal\"", "\"GlorotUniform\"");
            builder.modelJson(json);
            Matcher m = WINDOW.matcher(json);
            int window = m.find() ? Integer.parseInt(m.group(1)) : 0;
            Model model = json.contains("\"class_name\": \"Sequential\"") || json.contains("\"class_name\":\"Sequential\"")
                    ? builder.buildSequential().getMultiLayerNetwork()
                    : builder.buildModel().getComputationGraph();
            log.info("Imported Keras model {} in {} ms", file, (System.nanoTime() - t0) / 1_000_000);
            return new KerasWorkload(model, window, file);
        } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException e) {
            throw new UserError("Cannot import Keras model " + file + ": " + e.getMessage(), e);
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            // the HDF5 library fails with its own exception types on truncated or damaged files
            throw new UserError("Cannot read Keras model " + file + ": the HDF5 file is truncated or damaged ("
                    + LabelledData.firstLine(e.getMessage()) + "); save the model again with model.save(\"model.h5\")", e);
        }
    }

    /**
     * libhdf5 prints its error stack (dozens of "HDF5-DIAG" lines) to the process's stderr before Java sees the
     * error; the one line this tool prints says the same.
     */
    private static void silenceHdf5Diagnostics() {
        hdf5.H5Eset_auto2(hdf5.H5E_DEFAULT(), null, null);
    }

    @Override
    public List<DataSet> trainBatches(Path data, int maxExamples, int batchSize) throws IOException {
        return isText(data) ? charWindows(data, Part.TRAIN, maxExamples, batchSize) : super.trainBatches(data, maxExamples, batchSize);
    }

    @Override
    public List<DataSet> evalBatches(Path data, Path valid, int maxExamples, int batchSize) throws IOException {
        Path source = valid != null ? valid : data;
        return isText(source) ? charWindows(source, valid != null ? Part.ALL : Part.HELD_OUT, maxExamples, batchSize)
                : super.evalBatches(data, valid, maxExamples, batchSize);
    }

    private static boolean isText(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path) && (name.endsWith(".txt") || name.endsWith(".text"));
    }

    private CharWindowBatches charWindows(Path path, Part part, int maxExamples, int batchSize) throws IOException {
        String text = TextFiles.readUtf8(path, "Text data").toLowerCase(Locale.ROOT);
        BaseRecurrentLayer recurrent = firstRecurrentLayer();
        if (recurrent == null || window <= 0) {
            throw new UserError("Text data needs a character-level recurrent model with a fixed input window"
                    + " (Keras batch_input_shape [null, T, C]); " + path + " does not fit this model");
        }
        long features = recurrent.getNIn();
        int[] index = CharSequences.characterIndex(text, features, path);
        int heldOut = (int) (text.length() * TRAIN_SHARE);
        int first = part == Part.HELD_OUT ? heldOut : 0;
        // training windows end before the held-out part, so no held-out character is ever a training target
        int end = part == Part.TRAIN ? heldOut : text.length();
        int count = Math.min(maxExamples, end - window - first);
        if (count <= 0) {
            throw new UserError("The text " + path + " is too short for " + window + "-character windows");
        }
        int[] indices = new int[text.length()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = index[text.charAt(i)];
        }
        CharWindowBatches batches = new CharWindowBatches(indices, first, count, window, (int) features, batchSize,
                recurrent.getRnnDataFormat() == RNNFormat.NCW);
        requireFits(batches.get(0), path);
        log.info("{} windows of {} characters from position {} of {}, built batch by batch", count, window, first, path);
        return batches;
    }

    /** The model's first layer as a recurrent layer (unwrapping LastTimeStep and the like), or null. */
    private BaseRecurrentLayer firstRecurrentLayer() {
        if (!(model() instanceof MultiLayerNetwork net)) {
            return null;
        }
        Layer conf = net.getLayer(0).conf().getLayer();
        while (conf instanceof BaseWrapperLayer wrapper) {
            conf = wrapper.getUnderlying();
        }
        return conf instanceof BaseRecurrentLayer recurrent ? recurrent : null;
    }
}
