package org.maskpro4j.weights;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.maskpro4j.layers.MaskProLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Turns a layer's input activation into the {@code [rows, K]} matrix its weight multiplies, with columns in the
 * order of {@link org.maskpro4j.nm.GroupLayout#toRows}: features for dense layers, one row per time step for
 * recurrent layers, and im2col patches ordered (kH, kW, channel) for convolutions.
 */
final class LayerInputs {
    private LayerInputs() {
    }

    /**
     * @param input  the layer's input (after its preprocessor)
     * @param output the layer's output; needed only for recurrent weights ({@code RW} multiplies h_{t-1})
     */
    static INDArray rows(Layer conf, String paramKey, INDArray input, INDArray output) {
        if (conf instanceof MaskProLayer wrapper) {
            return rows(wrapper.toPlainLayer(), paramKey, input, output);
        }
        if (conf.getClass() == ConvolutionLayer.class) {
            return convolutionRows((ConvolutionLayer) conf, input);
        }
        if (conf instanceof BaseRecurrentLayer || input.rank() == 3) {
            INDArray sequence = "RW".equals(paramKey) ? previousStep(output) : input;
            return timeRows(sequence);
        }
        if (input.rank() != 2) {
            throw new IllegalArgumentException("Layer " + conf.getLayerName() + " gets input of rank " + input.rank()
                    + "; expected [batch, features]");
        }
        return input;
    }

    /** [B, C, T] → [B·T, C]. */
    private static INDArray timeRows(INDArray sequence) {
        long c = sequence.size(1);
        return sequence.permute(0, 2, 1).dup('c').reshape('c', -1, c);
    }

    /** h_{t-1} with h_{-1} = 0, from the layer's outputs [B, H, T]. */
    private static INDArray previousStep(INDArray output) {
        INDArray shifted = Nd4j.zeros(output.dataType(), output.shape());
        long t = output.size(2);
        if (t > 1) {
            shifted.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, t))
                    .assign(output.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, t - 1)));
        }
        return shifted;
    }

    private static INDArray convolutionRows(ConvolutionLayer conv, INDArray input) {
        INDArray nchw = conv.getCnn2dDataFormat() == CNN2DFormat.NHWC ? input.permute(0, 3, 1, 2) : input;
        int[] k = conv.getKernelSize();
        int[] s = conv.getStride();
        int[] p = conv.getPadding();
        int[] d = conv.getDilation();
        boolean same = conv.getConvolutionMode() == ConvolutionMode.Same;
        // [B, C, kH, kW, oH, oW] → [B, oH, oW, kH, kW, C] → [B·oH·oW, kH·kW·C]
        INDArray cols = Convolution.im2col(nchw.dup('c'), k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same);
        long patch = cols.size(1) * cols.size(2) * cols.size(3);
        return cols.permute(0, 4, 5, 2, 3, 1).dup('c').reshape('c', -1, patch);
    }
}
