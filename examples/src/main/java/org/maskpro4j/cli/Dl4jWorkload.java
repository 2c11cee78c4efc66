package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.maskpro4j.cli.LabelledData.Part;
import org.maskpro4j.examples.data.TextFiles;
import org.maskpro4j.examples.models.Dl4jZip;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.ComputationGraphModel;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A DL4J classifier (MultiLayerNetwork or ComputationGraph, saved by ModelSerializer, imported from Keras, or
 * built from the zoo) with labelled data from an IDX directory (MNIST format), a directory of saved DataSets,
 * or a CSV file; a MultiLayerNetwork under an RnnOutputLayer also reads plain text as character sequences
 * ({@link CharSequences}).
 */
public class Dl4jWorkload implements Workload<DataSet> {
    private final Model model;
    private final String format;

    public Dl4jWorkload(Model model, String format) {
        this(model, format, "(" + format + ", in memory)");
    }

    /** @param source the file or zoo name the model came from, for messages */
    Dl4jWorkload(Model model, String format, String source) {
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new UserError("Unsupported DL4J model type " + model.getClass().getSimpleName());
        }
        Layer output = model instanceof MultiLayerNetwork net ? net.getOutputLayer() : ((ComputationGraph) model).getOutputLayer(0);
        if (!(output instanceof IOutputLayer)) {
            // without a loss there is nothing to score masks by
            throw new UserError("The model's last layer (" + output.conf().getLayer().getClass().getSimpleName() + ") has no"
                    + " loss function: give it an output or loss layer (a Keras model must be saved after compile())");
        }
        FiniteValues.requireFiniteWeights(model instanceof MultiLayerNetwork net ? net.paramTable()
                : ((ComputationGraph) model).paramTable(), source);
        this.model = model;
        this.format = format;
    }

    /** Through {@link Dl4jZip}, which never runs Java deserialisation on what the zip holds beyond ND4J's own classes. */
    public static Dl4jWorkload load(Path file) throws IOException {
        return new Dl4jWorkload(Dl4jZip.read(file, false).model(), "dl4j", file.toString());
    }

    public Model model() {
        return model;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public MaskableModel<DataSet> maskable(NmPattern pattern, WeightSelection selection) {
        return model instanceof MultiLayerNetwork net ? new MultiLayerNetworkModel(net, pattern, selection)
                : new ComputationGraphModel((ComputationGraph) model, pattern, selection);
    }

    @Override
    public List<DataSet> trainBatches(Path data, int maxExamples, int batchSize) throws IOException {
        return LabelledData.split(read(data, Part.TRAIN, maxExamples), batchSize);
    }

    @Override
    public List<DataSet> evalBatches(Path data, Path valid, int maxExamples, int batchSize) throws IOException {
        return LabelledData.split(valid != null ? read(valid, Part.ALL, maxExamples) : read(data, Part.HELD_OUT, maxExamples), batchSize);
    }

    /** Reads labelled data and checks that it fits the model. */
    protected DataSet read(Path path, Part part, int maxExamples) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (model instanceof MultiLayerNetwork net && net.getOutputLayer().conf().getLayer() instanceof RnnOutputLayer
                && Files.isRegularFile(path) && (name.endsWith(".txt") || name.endsWith(".text"))) {
            long characters = ((FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn();
            DataSet sequences = CharSequences.read(TextFiles.readUtf8(path, "Text data"), part, maxExamples,
                    characters, path.toString());
            requireFits(sequences, path);
            return sequences;
        }
        DataSet data = LabelledData.read(path, part, maxExamples, (int) numClasses());
        requireFits(data, path);
        return data;
    }

    /** Width of the model's output: nOut of its last layer that has one (a loss layer has none). */
    private long numClasses() {
        Layer[] layers = model instanceof MultiLayerNetwork net ? net.getLayers() : ((ComputationGraph) model).getLayers();
        for (int i = layers.length - 1; i >= 0; i--) {
            if (layers[i].conf().getLayer() instanceof FeedForwardLayer ff && ff.getNOut() > 0) {
                return ff.getNOut();
            }
        }
        throw new UserError("Cannot tell how many classes the model predicts: no layer declares nOut");
    }

    /** Checks labels and features against the model, so a misfit is one clear line rather than a DL4J stack trace. */
    protected void requireFits(DataSet data, Path path) {
        long classes = numClasses();
        if (data.getLabels().size(1) != classes) {
            throw new UserError("Data " + path + " has " + data.getLabels().size(1) + " label columns but the model's output"
                    + " layer has " + classes + ": the data does not fit this model");
        }
        DataSet one = (DataSet) data.getRange(0, 1);
        try {
            if (model instanceof MultiLayerNetwork net) {
                net.output(one.getFeatures(), false);
            } else {
                ((ComputationGraph) model).outputSingle(false, one.getFeatures());
            }
        } catch (RuntimeException e) {
            throw new UserError("Data " + path + " does not fit this model: its features have shape "
                    + Arrays.toString(data.getFeatures().shape()) + ", and the model says: " + LabelledData.firstLine(e.getMessage()), e);
        }
    }

    @Override
    public Map<String, Object> evaluate(List<DataSet> batches) {
        Evaluation eval = new Evaluation();
        double lossSum = 0;
        long n = 0;
        for (DataSet ds : batches) {
            lossSum += score(ds) * ds.numExamples();
            INDArray out = output(ds.getFeatures());
            eval.eval(ds.getLabels(), out);
            n += ds.numExamples();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", lossSum / n);
        m.put("accuracy", eval.accuracy());
        m.put("examples", n);
        return m;
    }

    /** The mean loss of one batch, regularisation included, as DL4J's {@code score(data, false)}. */
    protected double score(DataSet ds) {
        // the data loss: DL4J's score adds the L1/L2/weight-decay penalty, which says nothing about the predictions
        return model instanceof MultiLayerNetwork net ? net.score(ds, false) - net.calcRegularizationScore(true)
                : ((ComputationGraph) model).score(ds, false) - ((ComputationGraph) model).calcRegularizationScore(true);
    }

    /** Inference output for features. */
    protected INDArray output(INDArray features) {
        return model instanceof MultiLayerNetwork net ? net.output(features, false)
                : ((ComputationGraph) model).outputSingle(false, features);
    }

    @Override
    public void save(Path out) throws IOException {
        ModelSerializer.writeModel(model, out.toFile(), false);
    }
}
