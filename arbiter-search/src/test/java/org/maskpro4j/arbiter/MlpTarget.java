package org.maskpro4j.arbiter;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The sweep workload of the tests, written as a caller would: one trained MLP handed out for every candidate,
 * MaskPro batches and held-out batches drawn from the distribution the MLP was trained on.
 */
final class MlpTarget implements SweepTarget<DataSet> {
    static final int BATCH = 32;

    private final MultiLayerNetwork net;
    private final List<DataSet> train;
    private final List<DataSet> heldOut;

    /** One seeded pool of batches: 20 to train the MLP, 16 (512 examples) for MaskPro, 8 held out. */
    MlpTarget(long seed) {
        List<DataSet> pool = SmallMlp.data(seed, 44, BATCH);
        this.net = SmallMlp.trainedMlp(seed); // trained on the first 20 batches of this pool
        this.train = List.copyOf(pool.subList(20, 36));
        this.heldOut = List.copyOf(pool.subList(36, 44));
    }

    @Override
    public MaskableModel<DataSet> freshModel(NmPattern pattern) {
        return new MultiLayerNetworkModel(net, pattern, WeightSelection.all());
    }

    @Override
    public List<DataSet> train(int examples) {
        if (examples % BATCH != 0 || examples > train.size() * BATCH) {
            throw new IllegalArgumentException("examples must be a multiple of " + BATCH + " up to "
                    + train.size() * BATCH + ", got " + examples);
        }
        return train.subList(0, examples / BATCH);
    }

    @Override
    public double score(MaskableModel<DataSet> model) {
        return heldOut.stream().mapToDouble(model::loss).average().orElseThrow();
    }

    @Override
    public String scoreName() {
        return "held-out loss";
    }
}
