package org.maskpro4j.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.ops.NDBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST from a directory of the four IDX files (plain or .gz), as DL4J DataSets: features
 * {@code [n,1,28,28]} float in [0,1] (channels first, for ConvolutionLayer) and one-hot labels {@code [n,10]}.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int NUM_CLASSES = 10;
    public static final int CHANNELS = 1;
    public static final int HEIGHT = 28;
    public static final int WIDTH = 28;
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);
    private static final int IMAGE_RANK = 3;
    private static final int LABEL_RANK = 1;
    private static final float BYTE_RANGE = 256f;
    private static final float MAX_PIXEL = 255f;

    /** The two splits, named by the prefix of their files. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String imagesFileName() {
            return prefix + "-images-idx3-ubyte";
        }

        public String labelsFileName() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private final Path directory;

    private FashionMnist(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("Fashion-MNIST directory " + directory + " does not exist. Install the"
                    + " data with `apt-get install dataset-fashion-mnist` (it goes to " + DEFAULT_DIRECTORY
                    + ") or pass the directory that holds train-images-idx3-ubyte.gz and the other three IDX files");
        }
        for (Split split : Split.values()) {
            locate(directory, split.imagesFileName());
            locate(directory, split.labelsFileName());
        }
        this.directory = directory;
    }

    public static FashionMnist at(Path directory) {
        return new FashionMnist(directory);
    }

    public static FashionMnist atDefaultDirectory() {
        return new FashionMnist(DEFAULT_DIRECTORY);
    }

    /** True when all four IDX files are present in {@code directory}; lets callers and tests skip cleanly. */
    public static boolean isAvailable(Path directory) {
        return Files.isDirectory(directory) && Arrays.stream(Split.values()).allMatch(s ->
                find(directory, s.imagesFileName()) != null && find(directory, s.labelsFileName()) != null);
    }

    public Path directory() {
        return directory;
    }

    /** Every example of the split. */
    public DataSet load(Split split) {
        return load(split, 0);
    }

    /** The first {@code limit} examples of the split (all when 0 or larger than the split). */
    public DataSet load(Split split, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("Example limit must be >= 0 (0 means all), got " + limit);
        }
        IdxReader.IdxContent images = IdxReader.read(locate(directory, split.imagesFileName()), IMAGE_RANK);
        IdxReader.IdxContent labels = IdxReader.read(locate(directory, split.labelsFileName()), LABEL_RANK);
        if (images.shape()[1] != HEIGHT || images.shape()[2] != WIDTH) {
            throw new IllegalArgumentException("Fashion-MNIST images in " + images.file() + " have shape "
                    + Arrays.toString(images.shape()) + ", expected [n, " + HEIGHT + ", " + WIDTH + "]");
        }
        if (images.count() != labels.count()) {
            throw new IllegalArgumentException("Fashion-MNIST " + split + ": " + images.file() + " holds "
                    + images.count() + " images but " + labels.file() + " holds " + labels.count() + " labels");
        }
        int n = limit == 0 ? (int) images.count() : (int) Math.min(limit, images.count());
        INDArray features = unsignedToUnit(firstBytes(images.data(), n * HEIGHT * WIDTH))
                .reshape('c', n, CHANNELS, HEIGHT, WIDTH);
        int[] unsigned = new int[n];
        for (int i = 0; i < n; i++) {
            unsigned[i] = labels.data()[i] & 0xff;
            if (unsigned[i] >= NUM_CLASSES) {
                throw new IllegalArgumentException("Label " + i + " in " + labels.file() + " is " + unsigned[i]
                        + ", expected a class index 0.." + (NUM_CLASSES - 1) + ": not a Fashion-MNIST labels file");
            }
        }
        INDArray classes = Nd4j.createFromArray(unsigned);
        INDArray oneHot = new NDBase().oneHot(classes, NUM_CLASSES, -1, 1.0, 0.0, DataType.FLOAT);
        LOG.info("Fashion-MNIST {}: {} examples from {}", split, n, directory);
        return new DataSet(features, oneHot);
    }

    /** Minibatches of the split; the limit of {@code batches} is applied before decoding, which saves memory. */
    public DataSetIterator iterator(Split split, DataSetBatches batches) {
        return batches.iterator(load(split, batches.limit()));
    }

    private static byte[] firstBytes(byte[] data, int length) {
        return length == data.length ? data : Arrays.copyOf(data, length);
    }

    /** Bytes are signed in Java and in ND4J's INT8: lift negatives by 256, then scale 0..255 to [0,1]. */
    private static INDArray unsignedToUnit(byte[] bytes) {
        INDArray values = Nd4j.createFromArray(bytes).castTo(DataType.FLOAT);
        INDArray wrapped = values.lt(0).castTo(DataType.FLOAT).muli(BYTE_RANGE);
        return values.addi(wrapped).divi(MAX_PIXEL);
    }

    private static Path locate(Path directory, String baseName) {
        Path file = find(directory, baseName);
        if (file == null) {
            throw new IllegalArgumentException("Fashion-MNIST directory " + directory + " lacks " + baseName
                    + ".gz (or its gunzipped form " + baseName + "). Install the data with `apt-get install"
                    + " dataset-fashion-mnist` or pass a directory that holds all four IDX files");
        }
        return file;
    }

    private static Path find(Path directory, String baseName) {
        for (String name : List.of(baseName + ".gz", baseName)) {
            Path file = directory.resolve(name);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        return null;
    }
}
