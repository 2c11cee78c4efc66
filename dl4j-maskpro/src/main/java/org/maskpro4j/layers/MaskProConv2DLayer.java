package org.maskpro4j.layers;

import java.util.Arrays;
import java.util.Objects;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.maskpro4j.nm.GroupLayout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * A 2-D convolution (NCHW) computing {@code activation(conv(x, W ⊙ nmMask) + b)}. N:M groups run along the input
 * channels at each kernel tap ({@link GroupLayout.Kind#CONV2D_OIHW}), so {@code nIn} must be a multiple of M.
 *
 * <p>Parameters: {@code W [nOut, nIn, kH, kW]} (DL4J's own layout, so weights copy 1:1 from a
 * {@link ConvolutionLayer}), {@code b [1, nOut]}, {@code nmMask} and {@code nmLogits} (both shaped like {@code W},
 * never changed by backprop). Convolution modes Truncate, Strict and Same are supported; defaults follow DL4J's
 * {@code ConvolutionLayer} (5×5 kernel, stride 1, no padding, no dilation, mode from the network).
 *
 * <p>The weight is permuted to {@code [kH, kW, nIn, nOut]} inside the graph: M2.1's {@code conv2d_bp} ignores
 * {@code weightsFormat=OIYX}, so the native OIHW format cannot be used directly.
 */
public final class MaskProConv2DLayer extends MaskProLayer {

    private int[] kernelSize = {5, 5};
    private int[] stride = {1, 1};
    private int[] padding = {0, 0};
    private int[] dilation = {1, 1};
    private ConvolutionMode convolutionMode;

    /** For JSON deserialization only. */
    public MaskProConv2DLayer() {
    }

    private MaskProConv2DLayer(Builder builder) {
        super(builder);
        this.kernelSize = pair("kernelSize", builder.kernelSize, 1);
        this.stride = pair("stride", builder.stride, 1);
        this.padding = pair("padding", builder.padding, 0);
        this.dilation = pair("dilation", builder.dilation, 1);
        this.convolutionMode = builder.convolutionMode;
        if (convolutionMode == ConvolutionMode.Causal) {
            throw new IllegalArgumentException(describe() + ": convolution mode Causal is for 1-D convolutions;"
                    + " use Truncate, Strict or Same");
        }
        validate();
        try {
            newPlainLayer();
        } catch (IllegalArgumentException | IllegalStateException e) {
            // DL4J's own geometry checks (e.g. padding with Same mode), reported against this layer
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    private int[] pair(String what, int[] values, int min) {
        if (values == null || values.length != 2 || values[0] < min || values[1] < min) {
            throw new IllegalArgumentException(describe() + ": " + what + " must be two integers >= " + min + ", got "
                    + Arrays.toString(values));
        }
        return values.clone();
    }

    @Override
    public GroupLayout.Kind layoutKind() {
        return GroupLayout.Kind.CONV2D_OIHW;
    }

    @Override
    protected long[] weightShape(long fanIn) {
        return new long[] {nOut, fanIn, kernelSize[0], kernelSize[1]};
    }

    /** The convolution mode in effect: the configured one, else DL4J's default (Truncate). */
    public ConvolutionMode effectiveConvolutionMode() {
        return convolutionMode == null ? ConvolutionMode.Truncate : convolutionMode;
    }

    @Override
    protected FeedForwardLayer newPlainLayer() {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder().kernelSize(kernelSize.clone()).stride(stride.clone())
                .padding(padding.clone()).dilation(dilation.clone()).convolutionMode(effectiveConvolutionMode())
                .dataFormat(CNN2DFormat.NCHW).nIn(nIn).nOut(nOut).hasBias(hasBias)
                .weightInit(WeightInit.XAVIER).biasInit(0.0).gainInit(1.0).name(getLayerName());
        if (activation != null) {
            b.activation(activation);
        }
        return b.build();
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeConvolutional c && c.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException(describe() + ": input format " + c.getFormat() + " is not supported;"
                    + " MaskPro convolutions take NCHW input (channels first)");
        }
        super.setNIn(inputType, override);
    }

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        if (convolutionMode == null) {
            convolutionMode = globalConfig.getConvolutionMode();
        }
    }

    @Override
    protected SDVariable preActivation(SameDiff sd, SDVariable input, SDVariable maskedWeight, SDVariable bias) {
        boolean same = effectiveConvolutionMode() == ConvolutionMode.Same;
        Conv2DConfig config = Conv2DConfig.builder()
                .kH(kernelSize[0]).kW(kernelSize[1]).sH(stride[0]).sW(stride[1])
                .pH(same ? 0 : padding[0]).pW(same ? 0 : padding[1]).dH(dilation[0]).dW(dilation[1])
                .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
        SDVariable yxio = maskedWeight.permute(2, 3, 1, 0);
        return bias == null ? sd.cnn().conv2d(input, yxio, config) : sd.cnn().conv2d(input, yxio, bias.reshape(nOut), config);
    }

    @Override
    protected long fanInForInit() {
        return nIn * kernelSize[0] * kernelSize[1];
    }

    @Override
    protected long fanOutForInit() {
        return nOut * kernelSize[0] * kernelSize[1] / ((long) stride[0] * stride[1]);
    }

    @Override
    public MaskProConv2DLayer clone() {
        MaskProConv2DLayer copy = (MaskProConv2DLayer) super.clone();
        copy.kernelSize = kernelSize.clone();
        copy.stride = stride.clone();
        copy.padding = padding.clone();
        copy.dilation = dilation.clone();
        return copy;
    }

    public int[] getKernelSize() {
        return kernelSize.clone();
    }

    public void setKernelSize(int[] kernelSize) {
        this.kernelSize = kernelSize.clone();
    }

    public int[] getStride() {
        return stride.clone();
    }

    public void setStride(int[] stride) {
        this.stride = stride.clone();
    }

    public int[] getPadding() {
        return padding.clone();
    }

    public void setPadding(int[] padding) {
        this.padding = padding.clone();
    }

    public int[] getDilation() {
        return dilation.clone();
    }

    public void setDilation(int[] dilation) {
        this.dilation = dilation.clone();
    }

    /** The configured mode, or null when it is taken from the network's default. */
    public ConvolutionMode getConvolutionMode() {
        return convolutionMode;
    }

    public void setConvolutionMode(ConvolutionMode convolutionMode) {
        this.convolutionMode = convolutionMode;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        MaskProConv2DLayer other = (MaskProConv2DLayer) o;
        return Arrays.equals(kernelSize, other.kernelSize) && Arrays.equals(stride, other.stride)
                && Arrays.equals(padding, other.padding) && Arrays.equals(dilation, other.dilation)
                && convolutionMode == other.convolutionMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), Arrays.hashCode(kernelSize), Arrays.hashCode(stride),
                Arrays.hashCode(padding), Arrays.hashCode(dilation), convolutionMode);
    }

    @Override
    public String toString() {
        return "MaskProConv2DLayer(name=" + getLayerName() + ", nIn=" + nIn + ", nOut=" + nOut + ", kernel="
                + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", mode=" + convolutionMode
                + ", activation=" + activation + ", hasBias=" + hasBias + ", pattern=" + pattern + ")";
    }

    /** Builds a {@link MaskProConv2DLayer}; validates the geometry, the pattern and, when nIn is given, that M divides it. */
    public static final class Builder extends MaskProLayer.Builder<Builder> {
        private int[] kernelSize = {5, 5};
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private int[] dilation = {1, 1};
        private ConvolutionMode convolutionMode;

        public Builder kernelSize(int... kernelSize) {
            this.kernelSize = kernelSize;
            return this;
        }

        public Builder stride(int... stride) {
            this.stride = stride;
            return this;
        }

        public Builder padding(int... padding) {
            this.padding = padding;
            return this;
        }

        public Builder dilation(int... dilation) {
            this.dilation = dilation;
            return this;
        }

        /** Truncate, Strict or Same; when unset the network's default mode is used, as for DL4J's own layers. */
        public Builder convolutionMode(ConvolutionMode convolutionMode) {
            this.convolutionMode = convolutionMode;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public MaskProConv2DLayer build() {
            return new MaskProConv2DLayer(this);
        }
    }
}
