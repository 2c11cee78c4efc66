package org.maskpro4j.examples.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.maskpro4j.examples.data.DataSetBatches;
import org.maskpro4j.examples.data.FashionMnist;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FashionCnn} trained on the full Fashion-MNIST training set, cached as a ModelSerializer zip so that a
 * test suite or a demo trains it once. The zip also records how it was trained; a cache trained differently
 * (other seed, epochs or architecture) is retrained rather than silently reused.
 */
public final class TrainedFashionCnn {
    /** Batch 64 trained faster per example than 128 or 256 on the 2-core reference machine. */
    public static final int BATCH_SIZE = 64;
    private static final String PROVENANCE_KEY = "maskpro4j-provenance";
    private static final Logger LOG = LoggerFactory.getLogger(TrainedFashionCnn.class);

    private TrainedFashionCnn() {
    }

    /** {@link #getOrTrain(Path, FashionMnist, long, int)} on the data in {@link FashionMnist#DEFAULT_DIRECTORY}. */
    public static MultiLayerNetwork getOrTrain(Path cacheFile, long seed, int epochs) {
        return getOrTrain(cacheFile, FashionMnist.atDefaultDirectory(), seed, epochs);
    }

    /** {@link #getOrTrain(Path, FashionMnist, FashionCnn, int)} with the default architecture and {@code seed}. */
    public static MultiLayerNetwork getOrTrain(Path cacheFile, FashionMnist data, long seed, int epochs) {
        return getOrTrain(cacheFile, data, FashionCnn.withSeed(seed), epochs);
    }

    /**
     * Loads the cached network when {@code cacheFile} holds one trained with the same architecture, seed, epochs
     * and data directory; otherwise trains {@code cnn} for {@code epochs} passes over the whole training split
     * (60,000 images; batch {@value #BATCH_SIZE}, shuffled with the architecture's seed) and writes the cache
     * atomically.
     */
    public static MultiLayerNetwork getOrTrain(Path cacheFile, FashionMnist data, FashionCnn cnn, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("TrainedFashionCnn needs at least 1 epoch, got " + epochs);
        }
        String provenance = cnn + " epochs=" + epochs + " batch=" + BATCH_SIZE
                + " data=" + data.directory().toAbsolutePath().normalize();
        MultiLayerNetwork cached = loadIfMatching(cacheFile, provenance);
        if (cached != null) {
            return cached;
        }
        MultiLayerNetwork net = cnn.newNetwork();
        DataSetBatches batches = DataSetBatches.builder().batchSize(BATCH_SIZE).shuffle(cnn.seed()).build();
        DataSet examples = data.load(FashionMnist.Split.TRAIN, batches.limit());
        DataSetIterator train = batches.iterator(examples);
        long perEpoch = (examples.numExamples() + BATCH_SIZE - 1) / BATCH_SIZE;
        net.setListeners(new TrainingProgress("FashionCnn", epochs, perEpoch, TrainingProgress.DEFAULT_INTERVAL_NANOS,
                LOG::info));
        long start = System.nanoTime();
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                FashionCnn.trainOneEpoch(net, train);
            }
        } finally {
            net.setListeners();
        }
        LOG.info("Trained FashionCnn ({}) in {} s", provenance, (System.nanoTime() - start) / 1_000_000_000);
        writeAtomically(net, provenance, cacheFile);
        return net;
    }

    private static MultiLayerNetwork loadIfMatching(Path cacheFile, String provenance) {
        if (!Files.isRegularFile(cacheFile)) {
            return null;
        }
        try {
            // a cache is a file like any other: read through the same guarded reader as a user's model
            Dl4jZip zip = Dl4jZip.read(cacheFile, true);
            Object recorded = zip.object(PROVENANCE_KEY);
            if (!provenance.equals(recorded)) {
                LOG.warn("Cached model {} was trained as [{}], wanted [{}]: retraining",
                        cacheFile, recorded, provenance);
                return null;
            }
            if (!(zip.model() instanceof MultiLayerNetwork net)) {
                LOG.warn("Cached model {} is not a MultiLayerNetwork: retraining", cacheFile);
                return null;
            }
            LOG.info("Loaded cached FashionCnn from {}", cacheFile);
            return net;
        } catch (IOException | RuntimeException e) {
            // A cache is disposable: a damaged one is replaced, not fatal.
            LOG.warn("Cannot read cached model {} ({}): retraining", cacheFile, e.toString());
            return null;
        }
    }

    /** Temp file in the same directory plus rename, so readers never see a half-written zip. */
    private static void writeAtomically(MultiLayerNetwork net, String provenance, Path cacheFile) {
        Path target = cacheFile.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
            ModelSerializer.writeModel(net, temp.toFile(), true);
            ModelSerializer.addObjectToFile(temp.toFile(), PROVENANCE_KEY, provenance);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Cached FashionCnn at {}", target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the model cache " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("Could not delete temporary file {}: {}", temp, e.toString());
        }
    }
}
