package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.function.BiFunction;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The calibration rows of LSTM weights against the network's own activations, built row by row: {@code W} sees
 * x_t and {@code RW} sees h_{t-1} (zero at t = 0, DL4J's initial state), for every example and step, whatever the
 * sequence format and also under a LastTimeStep wrapper, whose output holds only the last h.
 */
class LayerInputsTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    private static final int BATCH = 3;
    private static final int STEPS = 5;
    private static final int IN = 4;
    private static final int HIDDEN = 8;

    private static LSTM lstm(RNNFormat format) {
        return new LSTM.Builder().name("lstm").nIn(IN).nOut(HIDDEN).activation(Activation.TANH)
                .dataFormat(format).build();
    }

    private static NeuralNetConfiguration.Builder conf() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER);
    }

    private static MultiLayerNetwork sequenceNet(RNNFormat format) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf().list().layer(lstm(format))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(HIDDEN).nOut(3)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                .build());
        net.init();
        return net;
    }

    private static MultiLayerNetwork lastStepNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(conf().list().layer(new LastTimeStep(lstm(RNNFormat.NWC)))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(HIDDEN).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /** Random inputs [B, T, C] (NWC) or [B, C, T] (NCW). */
    private static INDArray input(RNNFormat format) {
        Nd4j.getRandom().setSeed(11);
        return format == RNNFormat.NWC ? Nd4j.randn(DataType.DOUBLE, BATCH, STEPS, IN)
                : Nd4j.randn(DataType.DOUBLE, BATCH, IN, STEPS);
    }

    /** Row b·T + t is {@code rowAt(b, t)}. */
    private static INDArray byExampleAndStep(int width, BiFunction<Integer, Integer, INDArray> rowAt) {
        INDArray rows = Nd4j.zeros(DataType.DOUBLE, BATCH * STEPS, width);
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < STEPS; t++) {
                rows.putRow(b * STEPS + t, rowAt.apply(b, t));
            }
        }
        return rows;
    }

    private static INDArray step(INDArray sequence, RNNFormat format, int b, int t) {
        return format == RNNFormat.NWC ? sequence.get(point(b), point(t), all()) : sequence.get(point(b), all(), point(t));
    }

    private static INDArray rows(MaskableModel<DataSet> model, String weight, INDArray x) {
        MaskableWeight w = model.weights().stream().filter(m -> m.name().equals(weight)).findFirst().orElseThrow();
        return model.inputRows(w, new DataSet(x, null));
    }

    private static void assertRows(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double error = expected.sub(actual).amaxNumber().doubleValue();
        assertEquals(0, error, 1e-12, what + ": max |expected − actual|");
    }

    private static void checkSequenceNet(RNNFormat format) {
        MultiLayerNetwork net = sequenceNet(format);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        INDArray x = input(format);
        INDArray h = net.feedForward(x, false).get(1);
        INDArray zero = Nd4j.zeros(DataType.DOUBLE, HIDDEN);
        assertRows(byExampleAndStep(IN, (b, t) -> step(x, format, b, t)), rows(model, "lstm/W", x), format + " W");
        assertRows(byExampleAndStep(HIDDEN, (b, t) -> t == 0 ? zero : step(h, format, b, t - 1)),
                rows(model, "lstm/RW", x), format + " RW");
        assertRows(byExampleAndStep(HIDDEN, (b, t) -> step(h, format, b, t)), rows(model, "out/W", x),
                format + " output layer W");
    }

    @Test
    void nwcLstmRowsAreInputsAndPreviousHiddenStates() {
        checkSequenceNet(RNNFormat.NWC);
    }

    @Test
    void ncwLstmRowsAreInputsAndPreviousHiddenStates() {
        checkSequenceNet(RNNFormat.NCW);
    }

    /** h_{t-1} is what the wrapped network outputs on the first t steps alone. */
    @Test
    void lastTimeStepLstmRowsComeFromTheWholeSequence() {
        MultiLayerNetwork net = lastStepNet();
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        INDArray x = input(RNNFormat.NWC);
        INDArray[] lastOfPrefix = new INDArray[STEPS];
        for (int t = 1; t < STEPS; t++) {
            lastOfPrefix[t] = net.feedForward(x.get(all(), interval(0, t), all()).dup(), false).get(1);
        }
        INDArray zero = Nd4j.zeros(DataType.DOUBLE, HIDDEN);
        assertRows(byExampleAndStep(IN, (b, t) -> step(x, RNNFormat.NWC, b, t)), rows(model, "lstm/W", x), "W");
        assertRows(byExampleAndStep(HIDDEN, (b, t) -> t == 0 ? zero : lastOfPrefix[t].getRow(b)),
                rows(model, "lstm/RW", x), "RW");
    }

    @Test
    void computationGraphLastTimeStepLstmMatchesTheSameNetwork() {
        ComputationGraph graph = new ComputationGraph(conf().graphBuilder().addInputs("in")
                .addLayer("lstm", new LastTimeStep(lstm(RNNFormat.NWC)), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(HIDDEN).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "lstm")
                .setOutputs("out").build());
        graph.init();
        MultiLayerNetwork net = lastStepNet();
        net.setParams(graph.params());
        ComputationGraphModel graphModel = new ComputationGraphModel(graph, P24, WeightSelection.all());
        MultiLayerNetworkModel netModel = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        INDArray x = input(RNNFormat.NWC);
        for (String weight : new String[] {"lstm/W", "lstm/RW", "out/W"}) {
            assertRows(rows(netModel, weight, x), rows(graphModel, weight, x), "graph " + weight);
        }
    }

    @Test
    void aSequenceInTheWrongFormatIsRefusedWithLayerAndShape() {
        MultiLayerNetwork net = sequenceNet(RNNFormat.NWC);
        INDArray ncw = input(RNNFormat.NCW);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerInputs.rows(net.getLayer(0), "W", ncw, ncw));
        assertTrue(e.getMessage().contains("lstm") && e.getMessage().contains("[3, 4, 5]"), e.getMessage());
    }
}
