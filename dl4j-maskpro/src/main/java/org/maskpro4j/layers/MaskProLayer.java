package org.maskpro4j.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskHoldingLayer;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Common part of the MaskPro layers: a DL4J layer whose effective weight is {@code W ⊙ nmMask}, with the mask and
 * MaskPro's logits stored as parameters of the layer so that a saved model carries them.
 *
 * <p>The mask and logits are frozen for backprop three ways at once, because DL4J M2.1 needs all three: a
 * {@code StopGradient} in the graph (their gradient is exactly zero), a {@link NoOp} updater (no optimizer state,
 * no update) and no regularization (L2 or weight decay would otherwise move them). Mask learning writes them in
 * place through {@link WrapperWeight}; {@code setParam} is a silent no-op on SameDiff layers in M2.1.
 *
 * <p>Shape inference ({@code setNIn}, output type, preprocessors) is delegated to the equivalent plain DL4J layer
 * ({@link #toPlainLayer()}), so a MaskPro layer accepts exactly the inputs the plain layer accepts. Dropout is not
 * supported: DL4J's SameDiff layers in M2.1 silently ignore it, so a configured dropout is rejected instead.
 *
 * <p>Subclasses must keep a no-argument constructor and getters/setters: DL4J restores saved models through JSON,
 * and its mapper goes through the bean properties ({@code getNIn} is stored as {@code "nin"}), so their names are part
 * of the saved format just like the class names. Setters are plain (shape changes after the parameters were
 * defined are not tracked), as in DL4J's own SameDiff layers. The pattern is stored as text ({@code "2:4"}).
 */
public abstract class MaskProLayer extends SameDiffLayer implements MaskHoldingLayer {

    protected long nIn;
    protected long nOut;
    protected Activation activation;
    protected boolean hasBias = true;
    protected String pattern;

    /** For JSON deserialization only. */
    protected MaskProLayer() {
    }

    protected MaskProLayer(Builder<?> builder) {
        super(builder);
        this.nIn = builder.nIn;
        this.nOut = builder.nOut;
        this.activation = builder.activation;
        this.hasBias = builder.hasBias;
        this.pattern = builder.pattern;
    }

    /** How the weight {@code W} is cut into groups of M along its input axis. */
    @Override
    public abstract GroupLayout.Kind layoutKind();

    /** The shape of {@code W}, {@code nmMask} and {@code nmLogits} for the given fan-in. */
    protected abstract long[] weightShape(long fanIn);

    /** The plain DL4J layer with this layer's geometry, sizes, bias flag and (when known) activation. */
    protected abstract FeedForwardLayer newPlainLayer();

    /** The pre-activation output given the masked weight (DL4J layout) and the bias ({@code [1, nOut]} or null). */
    protected abstract SDVariable preActivation(SameDiff sd, SDVariable input, SDVariable maskedWeight, SDVariable bias);

    protected abstract long fanInForInit();

    protected abstract long fanOutForInit();

    /** The shape of {@code W}, {@code nmMask} and {@code nmLogits}. */
    public long[] weightShape() {
        return weightShape(nIn);
    }

    /** The N:M pattern this layer's mask follows. */
    public NmPattern nmPattern() {
        try {
            return NmPattern.parse(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** The layer's {@link WrapperWeight}: its {@code W}, with mask and logits in its own parameters. */
    @Override
    public MaskableWeight maskableWeight(String name, org.deeplearning4j.nn.api.Layer layer) {
        return WrapperWeight.of(name, layer);
    }

    /**
     * The equivalent plain DL4J layer (a {@code DenseLayer} or {@code ConvolutionLayer}) with this layer's
     * hyperparameters and training configuration; export uses it with {@code W := W ⊙ nmMask}.
     */
    @Override
    public FeedForwardLayer toPlainLayer() {
        FeedForwardLayer plain = newPlainLayer();
        plain.setIUpdater(updater == null ? null : updater.clone());
        plain.setBiasUpdater(biasUpdater == null ? null : biasUpdater.clone());
        plain.setRegularization(regularization == null ? new ArrayList<>() : new ArrayList<>(regularization));
        plain.setRegularizationBias(regularizationBias == null ? new ArrayList<>() : new ArrayList<>(regularizationBias));
        plain.setGradientNormalization(gradientNormalization);
        plain.setGradientNormalizationThreshold(gradientNormalizationThreshold);
        if (getConstraints() != null) {
            List<LayerConstraint> copies = new ArrayList<>();
            for (LayerConstraint c : getConstraints()) {
                copies.add(c.clone());
            }
            plain.setConstraints(copies);
        }
        return plain;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> params, SDVariable inputMask) {
        SDVariable mask = new StopGradient(sd, params.get(MaskProParams.MASK)).outputVariable();
        SDVariable maskedWeight = params.get(MaskProParams.WEIGHT).mul("nmMaskedW", mask);
        SDVariable z = preActivation(sd, layerInput, maskedWeight, hasBias ? params.get(MaskProParams.BIAS) : null);
        // The logits never change the output, but DL4J's SameDiff layer fails backprop for a parameter that does
        // not reach the output ("No variable/placeholder with name out-grad"); 0·Σ keeps them attached.
        SDVariable anchor = new StopGradient(sd, params.get(MaskProParams.LOGITS)).outputVariable().sum().mul(0.0);
        return ActivationMapping.apply(requireActivation(), "out", sd, z.add(anchor));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        requireComplete();
        long[] shape = weightShape();
        params.addWeightParam(MaskProParams.WEIGHT, shape);
        if (hasBias) {
            params.addBiasParam(MaskProParams.BIAS, 1, nOut);
        }
        params.addWeightParam(MaskProParams.MASK, shape);
        params.addWeightParam(MaskProParams.LOGITS, shape);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        WeightInit init = weightInit != null ? weightInit : WeightInit.XAVIER;
        initWeights(Math.toIntExact(fanInForInit()), Math.toIntExact(fanOutForInit()), init, params.get(MaskProParams.WEIGHT));
        if (hasBias) {
            params.get(MaskProParams.BIAS).assign(0);
        }
        params.get(MaskProParams.MASK).assign(1);
        params.get(MaskProParams.LOGITS).assign(0);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return MaskProParams.isFrozen(paramName) ? new NoOp() : super.getUpdaterByParam(paramName);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (MaskProParams.isFrozen(paramName)) {
            return Collections.emptyList();
        }
        List<Regularization> r = super.getRegularizationByParam(paramName);
        return r == null ? Collections.emptyList() : r;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        FeedForwardLayer proxy = newPlainLayer();
        proxy.setNIn(inputType, override);
        long fanIn = proxy.getNIn();
        requireDivisible(fanIn);
        if (fanIn != nIn) {
            nIn = fanIn;
            setLayerParams(null);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return newPlainLayer().getOutputType(layerIndex, inputType);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return newPlainLayer().getPreProcessorForInputType(inputType);
    }

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        if (activation == null) {
            activation = ActivationMapping.of(globalConfig.getActivationFn()).orElseThrow(() -> new IllegalArgumentException(
                    describe() + ": the network's default activation " + globalConfig.getActivationFn()
                            + " has no SameDiff equivalent; set .activation(...) on this layer"));
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        if (getIDropout() != null) {
            throw new IllegalArgumentException(describe() + " has dropout " + getIDropout() + ", but DL4J M2.1 SameDiff"
                    + " layers silently ignore dropout; remove it from this layer (and from the network defaults) and"
                    + " put a DropoutLayer before it instead");
        }
        requireActivation();
        return super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, networkDataType);
    }

    /** Checks the pattern, sizes and fan-in; called when the layer is built and before its parameters exist. */
    protected final void validate() {
        NmPattern p = nmPattern();
        if (nOut <= 0) {
            throw new IllegalArgumentException(describe() + ": nOut must be positive, got " + nOut);
        }
        if (nIn < 0) {
            throw new IllegalArgumentException(describe() + ": nIn must be positive, got " + nIn);
        }
        if (nIn > 0) {
            requireDivisible(nIn, p);
        }
        if (activation != null && !ActivationMapping.inSameDiff(activation)) {
            throw new IllegalArgumentException(describe() + ": activation " + activation
                    + " is missing from (or wrong in) DL4J M2.1's SameDiff; choose another activation");
        }
    }

    private void requireComplete() {
        if (nIn <= 0) {
            throw new IllegalArgumentException(describe() + ": nIn is not set; give .nIn(...) or set the network's"
                    + " input type so DL4J can infer it");
        }
        validate();
    }

    private void requireDivisible(long fanIn) {
        requireDivisible(fanIn, nmPattern());
    }

    private void requireDivisible(long fanIn, NmPattern p) {
        if (fanIn % p.m() != 0) {
            throw new IllegalArgumentException(describe() + ": weight shape " + Arrays.toString(weightShape(fanIn))
                    + " has fan-in nIn=" + fanIn + ", which is not a multiple of M=" + p.m() + " required by pattern " + p
                    + "; make nIn a multiple of " + p.m() + ", choose a pattern whose M divides " + fanIn
                    + ", or keep this layer as a plain (dense) DL4J layer");
        }
    }

    private Activation requireActivation() {
        if (activation == null) {
            throw new IllegalArgumentException(describe() + " has no activation; set .activation(...) on the layer");
        }
        return activation;
    }

    /** "MaskProDenseLayer 'name'", for messages. */
    protected final String describe() {
        String name = getLayerName();
        return getClass().getSimpleName() + (name == null ? " (unnamed)" : " '" + name + "'");
    }

    public long getNIn() {
        return nIn;
    }

    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    public long getNOut() {
        return nOut;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }

    public Activation getActivation() {
        return activation;
    }

    public void setActivation(Activation activation) {
        this.activation = activation;
    }

    public boolean isHasBias() {
        return hasBias;
    }

    public void setHasBias(boolean hasBias) {
        this.hasBias = hasBias;
    }

    /** The pattern as text, e.g. {@code "2:4"}. */
    public String getPattern() {
        return pattern;
    }

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass() || !super.equals(o)) {
            return false;
        }
        MaskProLayer other = (MaskProLayer) o;
        return nIn == other.nIn && nOut == other.nOut && hasBias == other.hasBias && activation == other.activation
                && Objects.equals(pattern, other.pattern);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nIn, nOut, activation, hasBias, pattern);
    }

    /**
     * Builder shared by the MaskPro layers, in DL4J's self-typed style.
     *
     * @param <T> the concrete builder
     */
    public abstract static class Builder<T extends Builder<T>> extends SameDiffLayer.Builder<T> {
        protected long nIn;
        protected long nOut;
        protected Activation activation;
        protected boolean hasBias = true;
        protected String pattern;

        /** Input size (dense) or input channels (convolution); inferred from the network's input type when unset. */
        public T nIn(long nIn) {
            this.nIn = nIn;
            return self();
        }

        public T nOut(long nOut) {
            this.nOut = nOut;
            return self();
        }

        /** Activation; when unset the network's default activation is used, as for DL4J's own layers. */
        public T activation(Activation activation) {
            this.activation = activation;
            return self();
        }

        public T hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return self();
        }

        /** The N:M pattern as text, e.g. {@code "2:4"}; required. */
        public T pattern(String pattern) {
            this.pattern = pattern;
            return self();
        }

        public T pattern(NmPattern pattern) {
            this.pattern = pattern.toString();
            return self();
        }

        @SuppressWarnings("unchecked")
        private T self() {
            return (T) this;
        }
    }
}
