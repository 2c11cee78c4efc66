package org.maskpro4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class DataSetDirectoryTest {
    @TempDir
    Path dir;

    static DataSet random(int n, long seed) {
        INDArray features = Nd4j.rand(Nd4j.create(DataType.FLOAT, n, 1, 4, 4), seed);
        INDArray labels = Nd4j.eye(3).castTo(DataType.FLOAT).getRows(
                IntStream.range(0, n).map(i -> (int) ((i * seed) % 3)).toArray());
        return new DataSet(features, labels);
    }

    @Test
    void savedChunksLoadBackInOrder() {
        DataSet original = random(20, 11);
        List<Path> files = DataSetDirectory.save(original, dir.resolve("sets"), 7);
        assertEquals(3, files.size());
        assertEquals(files, DataSetDirectory.files(dir.resolve("sets")));

        DataSet loaded = DataSetDirectory.load(dir.resolve("sets"));
        assertArrayEquals(new long[] {20, 1, 4, 4}, loaded.getFeatures().shape());
        assertEquals(original.getFeatures(), loaded.getFeatures());
        assertEquals(original.getLabels(), loaded.getLabels());
    }

    @Test
    void singleFileDirectoryLoads() {
        DataSet original = random(5, 3);
        DataSetDirectory.save(original, dir, 100);
        assertEquals(original.getFeatures(), DataSetDirectory.load(dir).getFeatures());
    }

    @Test
    void problemsNameTheDirectoryOrFile() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSetDirectory.load(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());

        Files.writeString(dir.resolve("readme.txt"), "no bin files here");
        e = assertThrows(IllegalArgumentException.class, () -> DataSetDirectory.load(dir));
        assertTrue(e.getMessage().contains("no *.bin"), e.getMessage());

        Path mixed = dir.resolve("mixed");
        DataSetDirectory.save(random(4, 1), mixed, 10);
        new DataSet(Nd4j.rand(DataType.FLOAT, 4, 8), Nd4j.eye(4).castTo(DataType.FLOAT).getRows(0, 1, 2, 3))
                .save(mixed.resolve("part-99999.bin").toFile());
        e = assertThrows(IllegalArgumentException.class, () -> DataSetDirectory.load(mixed));
        assertTrue(e.getMessage().contains("part-99999.bin") && e.getMessage().contains("part-00000.bin"),
                e.getMessage());

        Path garbage = dir.resolve("garbage");
        Files.createDirectories(garbage);
        Files.writeString(garbage.resolve("x.bin"), "not a DataSet");
        e = assertThrows(IllegalArgumentException.class, () -> DataSetDirectory.load(garbage));
        assertTrue(e.getMessage().contains("x.bin"), e.getMessage());
    }
}
