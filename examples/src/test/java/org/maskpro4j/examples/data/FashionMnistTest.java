package org.maskpro4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FashionMnistTest {
    static final Path DIR = FashionMnist.DEFAULT_DIRECTORY;

    static FashionMnist installed() {
        return InstalledFashionMnist.get();
    }

    /** The first {@code n} raw bytes after the IDX header, read independently of IdxReader. */
    static int[] rawUnsigned(Path gz, int headerBytes, int n) throws IOException {
        try (InputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(gz)))) {
            in.readNBytes(headerBytes);
            byte[] b = in.readNBytes(n);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = b[i] & 0xff;
            }
            return out;
        }
    }

    @Test
    void testSplitHasTheDocumentedShapesAndBalancedLabels() throws IOException {
        FashionMnist data = installed();
        DataSet test = data.load(FashionMnist.Split.TEST);
        assertArrayEquals(new long[] {10_000, 1, 28, 28}, test.getFeatures().shape());
        assertArrayEquals(new long[] {10_000, 10}, test.getLabels().shape());
        assertEquals(0.0, test.getFeatures().minNumber().doubleValue());
        assertEquals(1.0, test.getFeatures().maxNumber().doubleValue(), 1e-7);
        // One-hot: each row sums to 1, and Fashion-MNIST's test split has exactly 1000 images per class.
        assertEquals(Nd4j.ones(10_000), test.getLabels().sum(1));
        assertEquals(Nd4j.valueArrayOf(new long[] {10}, 1000.0f), test.getLabels().sum(0));

        // Pixels match the raw unsigned bytes (including values above 127) scaled by 1/255.
        int[] raw = rawUnsigned(DIR.resolve("t10k-images-idx3-ubyte.gz"), 16, 28 * 28);
        INDArray first = test.getFeatures().get(NDArrayIndex.point(0)).reshape(28 * 28);
        boolean sawHighByte = false;
        for (int i = 0; i < raw.length; i++) {
            assertEquals(raw[i] / 255f, first.getFloat(i), 1e-6, "pixel " + i);
            sawHighByte |= raw[i] > 127;
        }
        assertTrue(sawHighByte, "the first image must exercise the unsigned-byte path");
    }

    @Test
    void trainSplitStartsWithAnAnkleBoot() throws IOException {
        FashionMnist data = installed();
        DataSet train = data.load(FashionMnist.Split.TRAIN);
        assertArrayEquals(new long[] {60_000, 1, 28, 28}, train.getFeatures().shape());
        assertArrayEquals(new long[] {60_000, 10}, train.getLabels().shape());
        assertEquals(9, train.getLabels().getRow(0).argMax().getInt(0));
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(9));
        int[] rawLabels = rawUnsigned(DIR.resolve("train-labels-idx1-ubyte.gz"), 8, 100);
        INDArray decoded = train.getLabels().get(NDArrayIndex.interval(0, 100)).argMax(1);
        assertArrayEquals(rawLabels, decoded.toIntVector());
        assertEquals(Nd4j.valueArrayOf(new long[] {10}, 6000.0f), train.getLabels().sum(0));
    }

    @Test
    void iteratorHonoursLimitAndBatchSize() {
        FashionMnist data = installed();
        DataSetIterator it = data.iterator(FashionMnist.Split.TEST,
                DataSetBatches.builder().batchSize(64).limit(200).shuffle(1).build());
        int seen = 0;
        while (it.hasNext()) {
            DataSet batch = it.next();
            assertArrayEquals(new long[] {batch.numExamples(), 1, 28, 28}, batch.getFeatures().shape());
            seen += batch.numExamples();
        }
        assertEquals(200, seen);
        assertEquals(784, it.inputColumns());
        assertEquals(10, it.totalOutcomes());
        assertEquals(data.load(FashionMnist.Split.TEST, 200).getLabels().sum(0),
                sumOfLabels(it), "the limit keeps the first 200 examples whatever the shuffle");
    }

    static INDArray sumOfLabels(DataSetIterator it) {
        it.reset();
        INDArray sum = Nd4j.zeros(10);
        while (it.hasNext()) {
            sum.addi(it.next().getLabels().sum(0));
        }
        return sum;
    }

    @Test
    void missingDirectoryTellsHowToInstall(@TempDir Path empty) {
        Path absent = empty.resolve("nowhere");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.at(absent));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist")
                && e.getMessage().contains(absent.toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.at(empty));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("apt-get"),
                e.getMessage());
    }

    @Test
    void wrongFileInPlaceIsNamed(@TempDir Path dir) throws IOException {
        byte[] images = IdxReaderTest.idx(0x00000803, new int[] {2, 28, 28}, new byte[2 * 28 * 28]);
        byte[] labels = IdxReaderTest.idx(0x00000801, new int[] {2}, new byte[] {3, 4});
        for (String prefix : new String[] {"train", "t10k"}) {
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images);
            // Labels and images swapped: the magic number check must catch it.
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(images));
        }
        FashionMnist data = FashionMnist.at(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> data.load(FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz") && e.getMessage().contains("magic"),
                e.getMessage());

        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxReaderTest.gzip(labels));
        DataSet two = data.load(FashionMnist.Split.TEST);
        assertArrayEquals(new long[] {2, 1, 28, 28}, two.getFeatures().shape());
        assertArrayEquals(new int[] {3, 4}, two.getLabels().argMax(1).toIntVector());
    }
}
