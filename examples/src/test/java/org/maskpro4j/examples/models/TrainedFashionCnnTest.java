package org.maskpro4j.examples.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.examples.data.DataSetBatches;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.data.InstalledFashionMnist;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Trains the reference CNN once per build (cached under target/) and checks it on the 10k test images. */
@Tag("slow")
class TrainedFashionCnnTest {
    static final Path CACHE = Path.of("target", "fashion-cnn-seed42.zip");

    @Test
    void oneEpochReachesEightyPercentAndTheCacheReloadsIdentically() throws IOException {
        FashionMnist data = InstalledFashionMnist.get();
        MultiLayerNetwork net = TrainedFashionCnn.getOrTrain(CACHE, data, 42, 1);
        assertTrue(Files.isRegularFile(CACHE), "cache written to " + CACHE.toAbsolutePath());

        DataSet test = data.load(FashionMnist.Split.TEST);
        Evaluation eval = FashionCnn.evaluate(net, DataSetBatches.ofSize(500).iterator(test));
        assertTrue(eval.accuracy() >= 0.80, "test accuracy after 1 epoch: " + eval.accuracy());

        INDArray probe = test.getFeatures().get(NDArrayIndex.interval(0, 256));
        INDArray expected = net.output(probe);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(CACHE.toFile(), true);
        assertArrayEquals(net.params().toFloatVector(), restored.params().toFloatVector());
        assertArrayEquals(expected.toFloatMatrix(), restored.output(probe).toFloatMatrix(), "ModelSerializer reload");
        MultiLayerNetwork cached = TrainedFashionCnn.getOrTrain(CACHE, data, 42, 1);
        assertArrayEquals(expected.toFloatMatrix(), cached.output(probe).toFloatMatrix(), "second call: the cache");
    }

    /** A tiny stand-in for the Fashion-MNIST directory, so cache handling is tested in seconds. */
    static FashionMnist tinyFashionMnist(Path dir, int n) throws IOException {
        Random random = new Random(5);
        byte[] pixels = new byte[n * 28 * 28];
        random.nextBytes(pixels);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        for (String prefix : new String[] {"train", "t10k"}) {
            writeIdx(dir.resolve(prefix + "-images-idx3-ubyte"), 0x00000803, new int[] {n, 28, 28}, pixels);
            writeIdx(dir.resolve(prefix + "-labels-idx1-ubyte"), 0x00000801, new int[] {n}, labels);
        }
        return FashionMnist.at(dir);
    }

    static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    @Test
    void cacheFromAnotherRecipeOrDamagedIsRetrained(@TempDir Path dir) throws IOException {
        FashionMnist tiny = tinyFashionMnist(dir, 40);
        Path cache = dir.resolve("models").resolve("cnn.zip");
        INDArray oneEpoch = TrainedFashionCnn.getOrTrain(cache, tiny, 42, 1).params();
        assertTrue(Files.isRegularFile(cache));
        try (Stream<Path> files = Files.list(cache.getParent())) {
            assertEquals(List.of(cache), files.toList(), "no temporary file left behind");
        }
        assertArrayEquals(oneEpoch.toFloatVector(), TrainedFashionCnn.getOrTrain(cache, tiny, 42, 1).params()
                .toFloatVector(), "same recipe: served from the cache");

        INDArray twoEpochs = TrainedFashionCnn.getOrTrain(cache, tiny, 42, 2).params();
        assertNotEquals(oneEpoch, twoEpochs, "another epoch count must not reuse the 1-epoch cache");
        assertArrayEquals(twoEpochs.toFloatVector(), ModelSerializer.restoreMultiLayerNetwork(cache.toFile())
                .params().toFloatVector(), "the cache now holds the 2-epoch model");

        FashionCnn smaller = FashionCnn.builder().seed(42).conv1Channels(8).conv2Channels(16).build();
        assertEquals((8 * 25 + 8) + (16 * 8 * 25 + 16) + (16 * 4 * 4 * 128 + 128) + (128 * 10 + 10),
                TrainedFashionCnn.getOrTrain(cache, tiny, smaller, 2).numParams(), "another architecture retrains");

        Files.writeString(cache, "damaged");
        INDArray retrained = TrainedFashionCnn.getOrTrain(cache, tiny, 42, 2).params();
        assertArrayEquals(twoEpochs.toFloatVector(), retrained.toFloatVector(), "training is deterministic");
        assertTrue(Files.size(cache) > 1000, "the damaged cache was replaced");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainedFashionCnn.getOrTrain(cache, tiny, 42, 0));
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
    }
}
