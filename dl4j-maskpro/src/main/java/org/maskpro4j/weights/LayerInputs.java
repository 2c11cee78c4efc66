package org.maskpro4j.weights;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Turns a layer's input activation into the {@code [rows, K]} matrix its weight multiplies, with columns in the
 * order of {@link org.maskpro4j.nm.GroupLayout#toRows}: features for dense layers, one row per example and time
 * step for recurrent layers (NCW or NWC, as the layer declares), and im2col patches ordered (kH, kW, channel) for
 * convolutions.
 */
final class LayerInputs {
    private LayerInputs() {
    }

    /**
     * @param layer  the layer as the network runs it, wrappers such as LastTimeStep included (a wrapper's
     *               {@code conf()} is its underlying layer's)
     * @param input  the layer's input (after its preprocessor)
     * @param output the layer's output; read only for recurrent weights ({@code RW} multiplies h_{t-1})
     */
    static INDArray rows(org.deeplearning4j.nn.api.Layer layer, String paramKey, INDArray input, INDArray output) {
        Layer conf = layer.conf().getLayer();
        if (conf instanceof MaskHoldingLayer wrapper) {
            conf = wrapper.toPlainLayer();
        }
        if (conf.getClass() == ConvolutionLayer.class) {
            return convolutionRows((ConvolutionLayer) conf, input);
        }
        if (conf instanceof BaseRecurrentLayer || input.rank() == 3) {
            boolean recurrent = "RW".equals(paramKey);
            INDArray sequence = recurrent ? hiddenSequence(layer, conf, input, output) : input;
            INDArray steps = asNwc(conf, sequence, recurrent);
            return timeRows(recurrent ? previousSteps(steps) : steps);
        }
        if (input.rank() != 2) {
            throw new IllegalArgumentException("Layer " + conf.getLayerName() + " gets input of shape "
                    + Arrays.toString(input.shape()) + "; expected [batch, features]");
        }
        return input;
    }

    /**
     * The recurrent layer's output at every time step. A wrapper that keeps only some steps (LastTimeStep) has no
     * such output, so its underlying layer is run again on the same input.
     */
    private static INDArray hiddenSequence(org.deeplearning4j.nn.api.Layer layer, Layer conf, INDArray input,
            INDArray output) {
        if (output.rank() == 3) {
            return output;
        }
        org.deeplearning4j.nn.api.Layer inner = layer;
        while (inner instanceof BaseWrapperLayer wrapper) {
            inner = wrapper.getUnderlying();
        }
        if (inner == layer) {
            throw new IllegalArgumentException("Recurrent layer " + conf.getLayerName() + " (" + layer.getClass()
                    .getSimpleName() + ") outputs shape " + Arrays.toString(output.shape())
                    + ", not a sequence: its RW inputs h_{t-1} cannot be read from it");
        }
        return inner.activate(input, false, LayerWorkspaceMgr.noWorkspaces());
    }

    /**
     * A sequence of the layer as {@code [B, T, C]} (a view where possible), after checking that C is the width
     * the weight expects: nIn for input weights, nOut for the recurrent weights that multiply the layer's output.
     */
    private static INDArray asNwc(Layer conf, INDArray sequence, boolean ofOutput) {
        RNNFormat format = format(conf);
        int featureAxis = format == RNNFormat.NWC ? 2 : 1;
        long width = conf instanceof FeedForwardLayer ff ? (ofOutput ? ff.getNOut() : ff.getNIn()) : -1;
        if (sequence.rank() != 3 || (width > 0 && sequence.size(featureAxis) != width)) {
            throw new IllegalArgumentException("Layer " + conf.getLayerName() + " (" + format + ") has "
                    + (ofOutput ? "output" : "input") + " of shape " + Arrays.toString(sequence.shape())
                    + "; expected " + (format == RNNFormat.NWC ? "[batch, time, " : "[batch, ")
                    + (width > 0 ? width : "features") + (format == RNNFormat.NWC ? "]" : ", time]"));
        }
        return format == RNNFormat.NWC ? sequence : sequence.permute(0, 2, 1);
    }

    /** The layer's declared sequence format; layers that declare none were always read as DL4J's default NCW. */
    private static RNNFormat format(Layer conf) {
        RNNFormat format = null;
        if (conf instanceof BaseRecurrentLayer recurrent) {
            format = recurrent.getRnnDataFormat();
        } else if (conf instanceof RnnOutputLayer output) {
            format = output.getRnnDataFormat();
        }
        return format == null ? RNNFormat.NCW : format;
    }

    /** [B, T, C] → [B·T, C], rows ordered by example, then time. */
    private static INDArray timeRows(INDArray steps) {
        return steps.dup('c').reshape('c', -1, steps.size(2));
    }

    /** h_{t-1} from h_t, both [B, T, H]: DL4J's LSTMs start from a zero state h_{-1} = 0. */
    private static INDArray previousSteps(INDArray steps) {
        INDArray shifted = Nd4j.zeros(steps.dataType(), steps.shape());
        long t = steps.size(1);
        if (t > 1) {
            shifted.get(NDArrayIndex.all(), NDArrayIndex.interval(1, t), NDArrayIndex.all())
                    .assign(steps.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t - 1), NDArrayIndex.all()));
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
