package org.maskpro4j.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.provenance.DataFingerprint;
import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the stages of one pipeline run share: the model, its training batches, the held-out measurement, and what the
 * earlier stages produced (the prior, the mask method's result, the current masks, the verification).
 *
 * @param <B> the model's batch type
 */
public final class StageContext<B> {
    private final MaskableModel<B> model;
    private final List<B> train;
    private final HeldOut heldOut;
    private final MaskMethod method;
    private final List<Stage> stages;
    private final String dataFingerprint;
    private final List<B> selection;
    private Map<String, INDArray> masks;
    private ChosenPrior prior;
    private MaskResult maskResult;
    private NmVerifier.Report verified;

    StageContext(MaskableModel<B> model, List<B> train, HeldOut heldOut, MaskMethod method, List<Stage> stages,
            List<B> selection) {
        this.selection = selection == null ? null : List.copyOf(selection);
        this.model = Objects.requireNonNull(model, "model");
        // a view, not a copy: batch lists may build each batch when asked (memory stays bounded by one batch)
        this.train = Collections.unmodifiableList(train);
        this.heldOut = heldOut;
        this.method = method;
        this.stages = stages;
        this.dataFingerprint = DataFingerprint.of(this.train);
    }

    /**
     * Where the current masks come from: the method with its settings and those of every stage that has any (prefixed
     * with the stage's name), the prior, the training data's fingerprint, the seed, the stages and the versions.
     */
    public Provenance provenance() {
        Map<String, String> settings = new LinkedHashMap<>(method.settings());
        for (Stage s : stages) {
            s.settings().forEach((k, v) -> settings.put(s.name() + "." + k, v));
        }
        return Provenance.of(method.name(), settings, prior == null ? null : prior.name(), dataFingerprint,
                stages.stream().map(Stage::name).toList());
    }

    public MaskableModel<B> model() {
        return model;
    }

    /** Training / calibration batches, in their fixed order. */
    public List<B> train() {
        return train;
    }

    /** Held-out batches a learner may choose its best mask on, apart from what {@link #heldOut()} reports; or null. */
    public List<B> selection() {
        return selection;
    }

    /** The held-out measurement, or null when the run has none. */
    public HeldOut heldOut() {
        return heldOut;
    }

    /** The pattern every maskable weight of the model is cut by. */
    public NmPattern pattern() {
        if (model.weights().isEmpty()) {
            throw new IllegalArgumentException("The model has no maskable weights");
        }
        return model.weights().get(0).layout().pattern();
    }

    /** The masks applied now, per weight name; null before any stage set masks. */
    public Map<String, INDArray> masks() {
        return masks;
    }

    /** The prior the learner starts from; null before the prior stage or when the method uses none. */
    public ChosenPrior prior() {
        return prior;
    }

    /** The mask method's result; null before the mask stage. */
    public MaskResult maskResult() {
        return maskResult;
    }

    /** The verification of the final masks; null before the verify stage. */
    public NmVerifier.Report verified() {
        return verified;
    }

    void masks(Map<String, INDArray> masks) {
        this.masks = masks;
    }

    void prior(ChosenPrior prior) {
        this.prior = prior;
    }

    void maskResult(MaskResult maskResult) {
        this.maskResult = maskResult;
    }

    void verified(NmVerifier.Report verified) {
        this.verified = verified;
    }
}
