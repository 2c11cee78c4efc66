package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.cli.LabelledData.Part;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.SameDiffWeights;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A SameDiff classifier saved with {@code sd.save(file, true)} after {@code sd.setTrainingConfig(...)}: its training
 * configuration names the feature and label placeholders, and its single loss variable scores masks. Its weights
 * are the right operands of its matrix products ({@link SameDiffWeights}); data is read as for DL4J classifiers.
 */
final class SameDiffWorkload implements Workload<Map<String, INDArray>> {
    private final SameDiff sd;
    private final String features;
    private final String labels;
    private final String loss;
    /** The loss op's prediction input, for accuracy; null when the loss is not a plain (labels, predictions) op. */
    private final String predictions;

    private SameDiffWorkload(SameDiff sd, Path file) {
        TrainingConfig tc = sd.getTrainingConfig();
        if (tc == null || tc.getDataSetFeatureMapping() == null || tc.getDataSetFeatureMapping().size() != 1
                || tc.getDataSetLabelMapping() == null || tc.getDataSetLabelMapping().size() != 1) {
            throw new UserError("SameDiff model " + file + " names no single feature and label placeholder: call"
                    + " sd.setTrainingConfig(...) with dataSetFeatureMapping and dataSetLabelMapping, then sd.save(file, true)");
        }
        List<String> losses = sd.getLossVariables();
        if (losses == null || losses.size() != 1) {
            throw new UserError("SameDiff model " + file + " must mark exactly one loss variable, found " + losses
                    + ": call sd.setLossVariables(\"loss\") before saving");
        }
        this.sd = sd;
        this.features = tc.getDataSetFeatureMapping().get(0);
        this.labels = tc.getDataSetLabelMapping().get(0);
        this.loss = losses.get(0);
        this.predictions = predictionsOf(sd, loss, labels);
    }

    static SameDiffWorkload load(Path file) {
        SameDiff sd;
        try {
            sd = SameDiff.load(file.toFile(), true);
        } catch (RuntimeException e) {
            // FlatBuffers fails on garbage with index errors that say nothing to a user
            String why = e instanceof IndexOutOfBoundsException || e.getMessage() == null ? "its content is not SameDiff"
                    + " FlatBuffers" : LabelledData.firstLine(e.getMessage());
            throw new UserError(file + " is not a SameDiff model (" + why + "): pass a file written by sd.save(file, true)"
                    + " after sd.setTrainingConfig(...)", e);
        }
        return new SameDiffWorkload(sd, file);
    }

    /**
     * The variable compared with the labels: the other array input of the loss op, or, when the loss is built from
     * plainer ops (an MSE written as {@code squaredDifference(out, label).mean()}), of the op that consumes the labels.
     */
    private static String predictionsOf(SameDiff sd, String loss, String labels) {
        DifferentialFunction lossOp = sd.getVariableOutputOp(loss);
        List<DifferentialFunction> candidates = new ArrayList<>();
        if (lossOp != null) {
            candidates.add(lossOp);
        }
        sd.getOps().values().forEach(op -> candidates.add(op.getOp()));
        for (DifferentialFunction op : candidates) {
            SDVariable[] args = op.args();
            if (Arrays.stream(args).anyMatch(v -> v.name().equals(labels))) {
                String other = Arrays.stream(args).filter(v -> !v.name().equals(labels) && v.getVariableType() == VariableType.ARRAY)
                        .map(SDVariable::name).findFirst().orElse(null);
                if (other != null) {
                    return other;
                }
            }
        }
        return null;
    }

    @Override
    public String format() {
        return "samediff";
    }

    @Override
    public MaskableModel<Map<String, INDArray>> maskable(NmPattern pattern, WeightSelection selection) {
        return SameDiffWeights.discover(sd, pattern, selection).build();
    }

    @Override
    public List<Map<String, INDArray>> trainBatches(Path data, int maxExamples, int batchSize) throws IOException {
        return batches(read(data, Part.TRAIN, maxExamples), batchSize);
    }

    @Override
    public List<Map<String, INDArray>> evalBatches(Path data, Path valid, int maxExamples, int batchSize) throws IOException {
        return batches(valid != null ? read(valid, Part.ALL, maxExamples) : read(data, Part.HELD_OUT, maxExamples), batchSize);
    }

    private DataSet read(Path path, Part part, int maxExamples) throws IOException {
        long[] labelShape = sd.getVariable(labels).getShape();
        int classes = labelShape == null || labelShape.length != 2 ? -1 : (int) labelShape[1];
        DataSet data = LabelledData.read(path, part, maxExamples, classes);
        long[] want = sd.getVariable(features).getShape();
        if (want != null && want.length != data.getFeatures().rank()) {
            // IDX images come as [N, 1, 28, 28]; a dense network's placeholder is [-1, 784]
            long n = data.numExamples();
            long[] shape = want.clone();
            shape[0] = n;
            long known = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            if (Arrays.stream(want, 1, want.length).anyMatch(d -> d < 0) || known != data.getFeatures().length()) {
                throw new UserError("Data " + path + " has features of shape " + Arrays.toString(data.getFeatures().shape())
                        + " but placeholder '" + features + "' has shape " + Arrays.toString(want) + ": the data does not fit this model");
            }
            data = new DataSet(data.getFeatures().reshape('c', shape), data.getLabels());
        }
        requireFits(data, path);
        return data;
    }

    private void requireFits(DataSet data, Path path) {
        try {
            sd.output(batch((DataSet) data.getRange(0, 1)), loss);
        } catch (RuntimeException e) {
            throw new UserError("Data " + path + " does not fit this model: features " + Arrays.toString(data.getFeatures().shape())
                    + ", labels " + Arrays.toString(data.getLabels().shape()) + "; SameDiff says: "
                    + LabelledData.firstLine(e.getMessage()), e);
        }
    }

    private Map<String, INDArray> batch(DataSet ds) {
        return Map.of(features, ds.getFeatures(), labels, ds.getLabels());
    }

    private List<Map<String, INDArray>> batches(DataSet all, int batchSize) {
        List<Map<String, INDArray>> out = new ArrayList<>();
        for (DataSet ds : LabelledData.split(all, batchSize)) {
            out.add(batch(ds));
        }
        return out;
    }

    @Override
    public Map<String, Object> evaluate(List<Map<String, INDArray>> batches) {
        Evaluation eval = new Evaluation();
        double lossSum = 0;
        long n = 0;
        for (Map<String, INDArray> b : batches) {
            long size = b.get(features).size(0);
            Map<String, INDArray> out = predictions == null ? sd.output(b, loss) : sd.output(b, loss, predictions);
            lossSum += out.get(loss).getDouble(0) * size;
            if (predictions != null) {
                eval.eval(b.get(labels), out.get(predictions));
            }
            n += size;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", lossSum / n);
        if (predictions != null) {
            m.put("accuracy", eval.accuracy());
        }
        m.put("examples", n);
        return m;
    }

    @Override
    public void save(Path out) throws IOException {
        sd.save(out.toFile(), true);
    }
}
