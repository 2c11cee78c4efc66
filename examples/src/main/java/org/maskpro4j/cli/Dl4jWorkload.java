package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.maskpro4j.examples.data.CsvDataSetReader;
import org.maskpro4j.examples.data.DataSetDirectory;
import org.maskpro4j.examples.data.FashionMnist;
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
 * or a CSV file.
 */
public class Dl4jWorkload implements Workload<DataSet> {
    private final Model model;
    private final String format;

    public Dl4jWorkload(Model model, String format) {
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new UserError("Unsupported DL4J model type " + model.getClass().getSimpleName());
        }
        this.model = model;
        this.format = format;
    }

    public static Dl4jWorkload load(Path file) throws IOException {
        try {
            return new Dl4jWorkload(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false), "dl4j");
        } catch (RuntimeException | IOException notMln) {
            try {
                return new Dl4jWorkload(ModelSerializer.restoreComputationGraph(file.toFile(), false), "dl4j");
            } catch (RuntimeException | IOException notCg) {
                throw new UserError(file + " is not a DL4J model saved by ModelSerializer (" + notMln.getMessage() + ")");
            }
        }
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
        return split(read(data, true, maxExamples), batchSize);
    }

    @Override
    public List<DataSet> evalBatches(Path data, Path valid, int maxExamples, int batchSize) throws IOException {
        return split(valid != null ? read(valid, false, maxExamples) : read(data, false, maxExamples), batchSize);
    }

    /** Reads labelled data; an IDX directory gives its train or test split. */
    protected DataSet read(Path path, boolean train, int maxExamples) throws IOException {
        if (!Files.exists(path)) {
            throw new UserError("Data not found: " + path);
        }
        DataSet all;
        if (Files.isDirectory(path) && FashionMnist.isAvailable(path)) {
            all = FashionMnist.at(path).load(train ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST, maxExamples);
        } else if (Files.isDirectory(path)) {
            all = DataSetDirectory.load(path);
        } else if (path.toString().toLowerCase().endsWith(".csv")) {
            all = CsvDataSetReader.builder().numClasses((int) numClasses()).build().read(path);
        } else {
            throw new UserError("Cannot read data " + path + ": expected an IDX directory (MNIST format), a directory of"
                    + " saved DataSets (*.bin) or a .csv file");
        }
        if (all.numExamples() > maxExamples) {
            all = (DataSet) all.getRange(0, maxExamples);
        }
        requireFits(all, path);
        return all;
    }

    private long numClasses() {
        return model instanceof MultiLayerNetwork net ? net.getOutputLayer().getParam("W").size(1)
                : ((ComputationGraph) model).getOutputLayer(0).getParam("W").size(1);
    }

    private void requireFits(DataSet data, Path path) {
        long classes = numClasses();
        if (data.getLabels().size(1) != classes) {
            throw new UserError("Data " + path + " has " + data.getLabels().size(1) + " label columns but the model's output"
                    + " layer has " + classes + ": the data does not fit this model");
        }
    }

    static List<DataSet> split(DataSet all, int batchSize) {
        List<DataSet> out = new ArrayList<>();
        for (int start = 0; start < all.numExamples(); start += batchSize) {
            out.add((DataSet) all.getRange(start, Math.min(all.numExamples(), start + batchSize)));
        }
        if (out.isEmpty()) {
            throw new UserError("The data holds no examples");
        }
        return out;
    }

    @Override
    public Map<String, Object> evaluate(List<DataSet> batches) {
        Evaluation eval = new Evaluation();
        double lossSum = 0;
        long n = 0;
        for (DataSet ds : batches) {
            INDArray out;
            if (model instanceof MultiLayerNetwork net) {
                lossSum += net.score(ds, false) * ds.numExamples();
                out = net.output(ds.getFeatures(), false);
            } else {
                ComputationGraph graph = (ComputationGraph) model;
                lossSum += graph.score(ds, false) * ds.numExamples();
                out = graph.outputSingle(false, ds.getFeatures());
            }
            eval.eval(ds.getLabels(), out);
            n += ds.numExamples();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", lossSum / n);
        m.put("accuracy", eval.accuracy());
        m.put("examples", n);
        return m;
    }

    @Override
    public void save(Path out) throws IOException {
        ModelSerializer.writeModel(model, out.toFile(), false);
    }
}
