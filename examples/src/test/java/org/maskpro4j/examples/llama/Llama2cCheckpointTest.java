package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Llama2cCheckpointTest {

    /** A tiny unshared-classifier model whose every value is distinct and known. */
    private static Llama2cCheckpoint synthetic() {
        LlamaConfig config = new LlamaConfig(8, 12, 2, 2, 1, 300, 16, false);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        double offset = 0;
        for (Map.Entry<String, long[]> e : Llama2cCheckpoint.tensorShapes(config).entrySet()) {
            if (e.getKey().startsWith("freqCis")) {
                continue;
            }
            long n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            tensors.put(e.getKey(), Nd4j.linspace(DataType.FLOAT, offset, 1e-3, n).reshape(e.getValue()));
            offset += 1;
        }
        return Llama2cCheckpoint.of(config, tensors);
    }

    @Test
    void realCheckpointRoundTripIsByteIdentical(@TempDir Path dir) throws Exception {
        Path original = LlamaTestData.model();
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(original);
        assertEquals(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, true), checkpoint.config());
        Path copy = dir.resolve("copy.bin");
        checkpoint.write(copy);
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy));

        // the RoPE tables recomputed as llama2.c's export does them agree with the ones stored in the file
        Map<String, INDArray> withoutTables = new LinkedHashMap<>();
        for (String name : checkpoint.tensorNames()) {
            if (!name.startsWith("freqCis")) {
                withoutTables.put(name, checkpoint.tensor(name));
            }
        }
        Llama2cCheckpoint recomputed = Llama2cCheckpoint.of(checkpoint.config(), withoutTables);
        for (String table : new String[] {LlamaNames.FREQ_CIS_REAL, LlamaNames.FREQ_CIS_IMAG}) {
            assertTrue(recomputed.tensor(table).equalsWithEps(checkpoint.tensor(table), 1e-4), table);
        }
    }

    @Test
    void syntheticUnsharedCheckpointRoundTrips(@TempDir Path dir) throws Exception {
        Llama2cCheckpoint checkpoint = synthetic();
        Path file = dir.resolve("tiny.bin");
        checkpoint.write(file);
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(-300, header.getInt(5 * Integer.BYTES), "an unshared classifier is a negative vocab size");
        Llama2cCheckpoint back = Llama2cCheckpoint.read(file);
        assertEquals(checkpoint.config(), back.config());
        assertEquals(checkpoint.tensorNames(), back.tensorNames());
        for (String name : checkpoint.tensorNames()) {
            assertEquals(checkpoint.tensor(name), back.tensor(name), name);
        }
        assertEquals(LlamaNames.CLASSIFIER, back.tensorNames().get(back.tensorNames().size() - 1));
        assertEquals(1.0f + 2e-3f, back.tensor("layers.0.rmsAtt").getFloat(2), 1e-6);
        assertEquals(2.0f, back.tensor("layers.1.rmsAtt").getFloat(0), 1e-6);
    }

    @Test
    void truncatedFileIsRejectedWithItsSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.bin");
        synthetic().write(file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Llama2cCheckpoint.read(cut));
        assertTrue(e.getMessage().contains((bytes.length - 10) + " bytes") && e.getMessage().contains("needs exactly "
                + bytes.length) && e.getMessage().contains("truncated"), e.getMessage());
        Files.write(cut, Arrays.copyOf(bytes, 20));
        e = assertThrows(IllegalArgumentException.class, () -> Llama2cCheckpoint.read(cut));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void garbageAndVersionedFilesAreRejected(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("text.bin");
        Files.writeString(text, "This is a text file and certainly not a llama2.c checkpoint at all.");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Llama2cCheckpoint.read(text));
        assertTrue(e.getMessage().contains("invalid header"), e.getMessage());

        Path versioned = dir.resolve("v1.bin");
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN).putInt(0x616b3432).putInt(1);
        Files.write(versioned, b.array());
        e = assertThrows(IllegalArgumentException.class, () -> Llama2cCheckpoint.read(versioned));
        assertTrue(e.getMessage().contains("--version 0"), e.getMessage());

        Path extra = dir.resolve("extra.bin");
        synthetic().write(extra);
        Files.write(extra, new byte[] {1, 2, 3, 4}, java.nio.file.StandardOpenOption.APPEND);
        e = assertThrows(IllegalArgumentException.class, () -> Llama2cCheckpoint.read(extra));
        assertTrue(e.getMessage().contains("4 extra bytes"), e.getMessage());
    }

    @Test
    void wrongTensorShapesAreRejected() {
        Llama2cCheckpoint checkpoint = synthetic();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> checkpoint.withTensors(Map.of("layers.1.wq", Nd4j.zeros(DataType.FLOAT, 8, 4))));
        assertTrue(e.getMessage().contains("layers.1.wq") && e.getMessage().contains("[8, 8]"), e.getMessage());
    }

    /**
     * The streaming export (a tensor at a time from its buffer) writes the bytes of the copying one, for replacements
     * that are plain FLOAT arrays, DOUBLE and column-major views; and it checks names and shapes before writing.
     */
    @Test
    void writingWithReplacementsMatchesACopiedCheckpoint(@TempDir Path dir) throws Exception {
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(LlamaTestData.model());
        Map<String, INDArray> replacements = new LinkedHashMap<>();
        INDArray wq = checkpoint.tensor("layers.0.wq");
        replacements.put("layers.0.wq", wq.mul(wq.gt(0).castTo(DataType.FLOAT)));
        replacements.put("layers.1.w1", checkpoint.tensor("layers.1.w1").neg().castTo(DataType.DOUBLE));
        INDArray w2 = checkpoint.tensor("layers.2.w2").mul(0.5);
        replacements.put("layers.2.w2", Nd4j.create(DataType.FLOAT, new long[] {w2.size(1), w2.size(0)}, 'f')
                .assign(w2.transpose()).transpose());
        Path copied = dir.resolve("copied.bin");
        checkpoint.withTensors(replacements).write(copied);
        Path streamed = dir.resolve("streamed.bin");
        checkpoint.write(streamed, replacements);
        assertArrayEquals(Files.readAllBytes(copied), Files.readAllBytes(streamed));
        assertTrue(!Arrays.equals(Files.readAllBytes(LlamaTestData.model()), Files.readAllBytes(streamed)));

        Path rejected = dir.resolve("rejected.bin");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> checkpoint.write(rejected, Map.of("layers.0.wq", Nd4j.zeros(DataType.FLOAT, 3, 4))));
        assertTrue(e.getMessage().contains("layers.0.wq") && e.getMessage().contains("[64, 64]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> checkpoint.write(rejected, Map.of("wq", wq)));
        assertTrue(e.getMessage().contains("Unknown checkpoint tensor 'wq'"), e.getMessage());
        assertTrue(!Files.exists(rejected), "nothing is written when a replacement is rejected");
    }
}
