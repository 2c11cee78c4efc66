package org.maskpro4j.layers;

import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.maskpro4j.nm.GroupLayout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A fully connected layer computing {@code activation(x · (W ⊙ nmMask) + b)}, where the N:M mask groups run along
 * the input dimension ({@link GroupLayout.Kind#IN_OUT}).
 *
 * <p>Parameters: {@code W [nIn, nOut]} (trained as usual, Xavier init by default), {@code b [1, nOut]} (zeros; absent
 * when {@code hasBias(false)}), {@code nmMask [nIn, nOut]} (ones, i.e. dense) and {@code nmLogits [nIn, nOut]}
 * (zeros); the last two are never changed by backprop. Inputs and preprocessors are those of DL4J's
 * {@link DenseLayer}.
 *
 * <pre>
 * new MaskProDenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).pattern("2:4").build()
 * </pre>
 */
public final class MaskProDenseLayer extends MaskProLayer {

    /** For JSON deserialization only. */
    public MaskProDenseLayer() {
    }

    private MaskProDenseLayer(Builder builder) {
        super(builder);
        validate();
    }

    @Override
    public GroupLayout.Kind layoutKind() {
        return GroupLayout.Kind.IN_OUT;
    }

    @Override
    protected long[] weightShape(long fanIn) {
        return new long[] {fanIn, nOut};
    }

    @Override
    protected FeedForwardLayer newPlainLayer() {
        DenseLayer.Builder b = new DenseLayer.Builder().nIn(nIn).nOut(nOut).hasBias(hasBias)
                .weightInit(WeightInit.XAVIER).biasInit(0.0).gainInit(1.0).name(getLayerName());
        if (activation != null) {
            b.activation(activation);
        }
        return b.build();
    }

    @Override
    protected SDVariable preActivation(SameDiff sd, SDVariable input, SDVariable maskedWeight, SDVariable bias) {
        SDVariable z = input.mmul(maskedWeight);
        return bias == null ? z : z.add(bias);
    }

    @Override
    protected long fanInForInit() {
        return nIn;
    }

    @Override
    protected long fanOutForInit() {
        return nOut;
    }

    @Override
    public String toString() {
        return "MaskProDenseLayer(name=" + getLayerName() + ", nIn=" + nIn + ", nOut=" + nOut + ", activation="
                + activation + ", hasBias=" + hasBias + ", pattern=" + pattern + ")";
    }

    /** Builds a {@link MaskProDenseLayer}; validates the pattern and, when nIn is given, that M divides it. */
    public static final class Builder extends MaskProLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public MaskProDenseLayer build() {
            return new MaskProDenseLayer(this);
        }
    }
}
