package org.maskpro4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.data.InstalledFashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.testing.RequiredData;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the command-line tests find their models and data; each skips with a visible reason when absent (fails in
 * CI, see {@link RequiredData}).
 */
final class CliTestData {
    /** The CNN that TrainedFashionCnnTest trains and caches (seed 42, 1 epoch); trained here if missing. */
    static final Path FASHION_CNN = Path.of("target", "fashion-cnn-seed42.zip");
    static final Path FASHION = FashionMnist.DEFAULT_DIRECTORY;

    private CliTestData() {
    }

    /** Initialises ND4J, whose multi-line banner would otherwise land in the first captured stderr. */
    static void warmUp() {
        Nd4j.create(1);
    }

    static Path fashionCnn() {
        InstalledFashionMnist.get();
        if (!Files.isRegularFile(FASHION_CNN)) {
            TrainedFashionCnn.getOrTrain(FASHION_CNN, 42, 1);
        }
        return FASHION_CNN;
    }
}
