package org.maskpro4j.method;

import java.util.List;
import java.util.Map;

import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One way of producing a strict N:M mask: a one-shot pruner (magnitude, Wanda, SparseGPT) or a mask learner
 * (MaskPro, MaskLLM). Instances are made by {@link MaskMethods} from a name and {@link MethodSettings}, and run as the
 * mask stage of a {@link MaskPipeline}.
 */
public interface MaskMethod {

    /** The registry name ("maskpro", "sparsegpt-mask", …). */
    String name();

    /** True for learners that start from a prior mask (MaskPro, MaskLLM); one-shot methods ignore the prior. */
    boolean usesPrior();

    /** The settings that decide this method's result, as text, for provenance ({@code key -> value}). */
    Map<String, String> settings();

    /**
     * Computes the masks and leaves them applied to {@code model} (SparseGPT with its update also leaves the updated
     * weights live). The model's weights are dense when this is called.
     *
     * @param data  training (calibration) batches; re-iterable
     * @param prior a {@code [groups, M]} 0/1 mask per weight name when {@link #usesPrior()}, else null
     */
    <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior);

    /**
     * {@link #run(MaskableModel, List, Map)} with held-out {@code selection} batches (null for none), on which a learner
     * that evaluates as it goes keeps its best mask; methods that do not ignore them.
     */
    default <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior, List<B> selection) {
        return run(model, data, prior);
    }
}
