package org.maskpro4j.examples.bench.jmh;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.examples.models.FashionCnn;
import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProStep;
import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One MaskPro step on the Fashion-MNIST CNN next to the forward it is measured against (same model, same batch, the
 * prior mask's loss cached by the warm-up steps). Timing does not depend on the weights' or pixels' values, so the
 * network is freshly initialised and the batch drawn from a seeded generator: no data set or trained model needed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CnnStepBenchmark {
    @Param({"2:4"})
    public String pattern;

    @Param({"64"})
    public int batch;

    private MultiLayerNetworkModel model;
    private DataSet data;
    private MaskProStep step;

    @Setup
    public void setUp() {
        NmPattern nm = NmPattern.parse(pattern);
        MultiLayerNetwork net = FashionCnn.withSeed(42).newNetwork();
        model = new MultiLayerNetworkModel(net, nm, WeightSelection.all());
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(42)) {
            INDArray pixels = Nd4j.rand(rng, batch, 1, 28, 28);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, 10);
            for (int i = 0; i < batch; i++) {
                labels.putScalar(i, i % 10, 1.0);
            }
            data = new DataSet(pixels, labels);
        } catch (Exception e) {
            throw new IllegalStateException("Could not release the ND4J random generator", e);
        }
        Map<String, INDArray> prior = new MagnitudePrior().masks(model, List.of());
        MaskProConfig config = MaskProConfig.builder().pattern(nm).seed(1).build();
        step = new MaskProStep(config, MaskPolicy.fromPrior(nm, model.weights(), prior, config.logitMagnitude()));
        step.step(model, data);
    }

    @Benchmark
    public double forward() {
        return model.loss(data);
    }

    @Benchmark
    public StepRecord maskProStep() {
        return step.step(model, data);
    }
}
