package org.maskpro4j.maskpro;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Adapts DL4J data to what MaskPro learns from: an {@code Iterable} it cycles over (each pass resets the iterator),
 * or a bounded list of minibatches held in memory (priors iterate their calibration data once per weight group, and
 * the learner cycles, so a list is what to give both), as DataSets or as a SameDiff graph's placeholder maps.
 */
public final class Dl4jData {
    private Dl4jData() {
    }

    public static Iterable<DataSet> iterable(DataSetIterator iterator) {
        if (!iterator.resetSupported()) {
            throw new IllegalArgumentException("MaskPro cycles over the data, but " + iterator.getClass().getSimpleName()
                    + " cannot be reset; wrap the data in a resettable iterator (e.g. ListDataSetIterator)");
        }
        return () -> {
            iterator.reset();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public DataSet next() {
                    return iterator.next();
                }
            };
        };
    }

    /**
     * The first {@code maxBatches} minibatches of {@code iterator} (fewer if it ends first), from its start when it
     * can be reset; it is reset again afterwards, so a later {@code fit()} sees all of it.
     */
    public static List<DataSet> batches(DataSetIterator iterator, int maxBatches) {
        requirePositive(maxBatches);
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        List<DataSet> out = new ArrayList<>();
        while (out.size() < maxBatches && iterator.hasNext()) {
            out.add(iterator.next());
        }
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("The " + iterator.getClass().getSimpleName() + " gave no minibatch");
        }
        return out;
    }

    /**
     * The first {@code maxBatches} minibatches of {@code iterator} as placeholder maps of {@code sd}, mapped as its
     * {@link TrainingConfig} maps them in {@code sd.fit()}.
     */
    public static List<Map<String, INDArray>> placeholders(SameDiff sd, DataSetIterator iterator, int maxBatches) {
        TrainingConfig tc = sd.getTrainingConfig();
        if (tc == null) {
            throw new IllegalArgumentException("The SameDiff graph has no TrainingConfig naming its feature and label"
                    + " placeholders: call sd.setTrainingConfig(...) first");
        }
        return batches(iterator, maxBatches).stream().map(d -> placeholders(tc, d.toMultiDataSet())).toList();
    }

    /** One minibatch as the placeholders {@code tc} feeds in {@code sd.fit()}. */
    static Map<String, INDArray> placeholders(TrainingConfig tc, MultiDataSet batch) {
        Map<String, INDArray> out = new HashMap<>();
        List<String> features = tc.getDataSetFeatureMapping();
        for (int i = 0; i < features.size(); i++) {
            out.put(features.get(i), batch.getFeatures(i));
        }
        List<String> labels = tc.getDataSetLabelMapping();
        if (labels != null) {
            for (int i = 0; i < labels.size(); i++) {
                out.put(labels.get(i), batch.getLabels(i));
            }
        }
        return out;
    }

    private static void requirePositive(int maxBatches) {
        if (maxBatches < 1) {
            throw new IllegalArgumentException("maxBatches must be >= 1, got " + maxBatches);
        }
    }
}
