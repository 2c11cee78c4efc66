package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Map;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model whose batches are told apart by object identity, for models that give no batch key of their own: the
 * step benchmark reuses one batch object, so this is enough for MaskPro to cache the prior mask's loss on it.
 */
final class KeyedByIdentity<B> implements MaskableModel<B> {
    private final MaskableModel<B> model;

    KeyedByIdentity(MaskableModel<B> model) {
        this.model = model;
    }

    @Override
    public List<MaskableWeight> weights() {
        return model.weights();
    }

    @Override
    public double loss(B batch) {
        return model.loss(batch);
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, B batch) {
        return model.inputRows(weight, batch);
    }

    @Override
    public Map<String, INDArray> inputRows(List<MaskableWeight> weights, B batch) {
        return model.inputRows(weights, batch);
    }

    @Override
    public List<List<String>> calibrationGroups() {
        return model.calibrationGroups();
    }

    @Override
    public List<String> skipped() {
        return model.skipped();
    }

    @Override
    public String batchKey(B batch) {
        return "identity@" + System.identityHashCode(batch);
    }
}
