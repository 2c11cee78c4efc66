package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.maskpro4j.export.PlainModelExport;
import org.maskpro4j.layers.MaskProWrapping;
import org.maskpro4j.layers.WrapperWeight;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * dL/dW_live from each adapter against central differences of its own forward-only loss, in double precision, at
 * entries of every maskable weight (masked-out entries included: a soft mask makes them matter).
 */
class DifferentiableModelTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    private static final double H = 1e-6;

    private static DataSet batch(long seed, int rows, int features, int classes) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, rows, features);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, rows, classes);
        for (int i = 0; i < rows; i++) {
            labels.putScalar(i, i % classes, 1);
        }
        return new DataSet(x, labels);
    }

    private static MultiLayerNetwork mlp() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(8).nOut(12).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /** Checks a few entries of every weight; returns the largest |analytic − fd|. */
    private static <B> double worstError(DifferentiableModel<B> model, B batch) {
        DifferentiableModel.Gradients g = model.lossAndGradients(batch);
        assertEquals(model.loss(batch), g.loss(), 1e-10, "lossAndGradients must report the forward loss");
        double worst = 0;
        for (MaskableWeight w : model.weights()) {
            INDArray live = w.live();
            INDArray grad = g.of(w);
            assertTrue(grad.amaxNumber().doubleValue() > 1e-6, w.name() + ": gradient is trivially zero");
            long n = live.length();
            for (long probe = 0; probe < 5; probe++) {
                long[] idx = org.nd4j.linalg.api.shape.Shape.ind2subC(live, (probe * 7919 + 3) % n);
                double v = live.getDouble(idx);
                live.putScalar(idx, v + H);
                double plus = model.loss(batch);
                live.putScalar(idx, v - H);
                double minus = model.loss(batch);
                live.putScalar(idx, v);
                double fd = (plus - minus) / (2 * H);
                worst = Math.max(worst, Math.abs(fd - grad.getDouble(idx)));
            }
        }
        return worst;
    }

    @Test
    void multiLayerNetworkGradientsAreThoseOfTheMeanLoss() {
        MultiLayerNetwork net = mlp();
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        assertEquals(2, model.weights().size());
        // a half-strength mask everywhere: what the gradient is taken at does not have to be a hard mask
        for (MaskableWeight w : model.weights()) {
            w.applyMask(Nd4j.valueArrayOf(new long[] {w.layout().groupCount(), 4}, 0.5, DataType.DOUBLE));
        }
        double worst = worstError(model, batch(1, 10, 8, 3));
        System.out.println("MultiLayerNetwork dL/dW_live max |error| " + worst);
        assertTrue(worst < 1e-7, "max |analytic − fd| = " + worst);
    }

    @Test
    void computationGraphGradientsAreThoseOfTheMeanLoss() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(8).nOut(12).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        graph.init();
        ComputationGraphModel model = new ComputationGraphModel(graph, P24, WeightSelection.all());
        double worst = worstError(model, batch(2, 10, 8, 3));
        System.out.println("ComputationGraph dL/dW_live max |error| " + worst);
        assertTrue(worst < 1e-7, "max |analytic − fd| = " + worst);
    }

    @Test
    void sameDiffGradientsAreThoseOfTheLossVariable() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, 8);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, 3);
        SDVariable w0 = sd.var("w0", new XavierInitScheme('c', 8, 12), DataType.DOUBLE, 8, 12);
        SDVariable w1 = sd.var("w1", new XavierInitScheme('c', 12, 3), DataType.DOUBLE, 12, 3);
        SDVariable h = sd.math.tanh("h", in.mmul(w0));
        sd.loss.softmaxCrossEntropy("loss", label, h.mmul("logits", w1), null);
        SameDiffModel model = SameDiffModel.builder(sd).pattern(P24).loss("loss").weight("w0", GroupLayout.Kind.IN_OUT)
                .weight("w1", GroupLayout.Kind.IN_OUT).build();
        DataSet ds = batch(3, 10, 8, 3);
        Map<String, INDArray> placeholders = Map.of("in", ds.getFeatures(), "label", ds.getLabels());
        double worst = worstError(model, placeholders);
        System.out.println("SameDiff dL/dW_live max |error| " + worst);
        assertTrue(worst < 1e-7, "max |analytic − fd| = " + worst);
    }

    @Test
    void sameDiffGraphWithOtherLossVariablesIsRefusedNotChanged() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, 4);
        SDVariable w = sd.var("w", new XavierInitScheme('c', 4, 2), DataType.DOUBLE, 4, 2);
        SDVariable out = in.mmul(w);
        SDVariable loss = out.mul(out).mean("loss");
        SDVariable other = w.mul(w).sum("penalty");
        sd.setLossVariables(loss, other);
        SameDiffModel model = SameDiffModel.builder(sd).pattern(P24).loss("loss").weight("w", GroupLayout.Kind.IN_OUT).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.lossAndGradients(Map.of("in", Nd4j.ones(DataType.DOUBLE, 3, 4))));
        assertTrue(e.getMessage().contains("setLossVariables(\"loss\")"), e.getMessage());
        assertEquals(List.of("loss", "penalty"), sd.getLossVariables());
    }

    @Test
    void gravesLstmRecurrentGradientIsTheViewOfTheGateColumns() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new GravesLSTM.Builder().name("lstm").nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 4, 5);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 3, 5);
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < 5; t++) {
                labels.putScalar(new long[] {i, (i + t) % 3, t}, 1);
            }
        }
        assertTrue(model.weights().stream().anyMatch(w -> w.name().equals("lstm/RW")));
        double worst = worstError(model, new DataSet(x, labels));
        System.out.println("GravesLSTM dL/dW_live max |error| " + worst);
        assertTrue(worst < 1e-7, "max |analytic − fd| = " + worst);
    }

    /**
     * DL4J M2.1 backpropagates twice the true gradient through SameDiff layers, MaskPro layers included: such models
     * are refused with the way out, and the converted plain model gives the true gradients.
     */
    @Test
    void modelsWithSameDiffLayersAreRefusedWithTheWayOut() {
        MultiLayerNetwork plainNet = mlp();
        MultiLayerNetwork wrappedNet = MaskProWrapping.wrap(plainNet.clone(), P24).network();
        MultiLayerNetworkModel wrapped = new MultiLayerNetworkModel(wrappedNet, P24, WeightSelection.all());
        assertTrue(wrapped.weights().stream().anyMatch(w -> w instanceof WrapperWeight), "nothing was wrapped");
        DataSet ds = batch(4, 10, 8, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrapped.lossAndGradients(ds));
        assertTrue(e.getMessage().contains("'hidden'") && e.getMessage().contains("PlainModelExport.toPlain"), e.getMessage());

        MultiLayerNetworkModel converted = new MultiLayerNetworkModel(PlainModelExport.toPlain(wrappedNet), P24,
                WeightSelection.all());
        MultiLayerNetworkModel plain = new MultiLayerNetworkModel(plainNet, P24, WeightSelection.all());
        DifferentiableModel.Gradients expected = plain.lossAndGradients(ds);
        DifferentiableModel.Gradients actual = converted.lossAndGradients(ds);
        assertEquals(expected.loss(), actual.loss(), 1e-12);
        for (MaskableWeight w : converted.weights()) {
            assertEquals(0, expected.weights().get(w.name()).sub(actual.of(w)).amaxNumber().doubleValue(), 1e-12, w.name());
        }
    }
}
