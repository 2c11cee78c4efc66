package org.maskpro4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class CsvDataSetReaderTest {
    @TempDir
    Path dir;

    @Test
    void roundTripWithLabelInTheMiddleAndReshapedFeatures() throws IOException {
        int n = 13;
        int features = 12;
        int labelColumn = 5;
        Random random = new Random(7);
        float[][] expected = new float[n][features];
        int[] classes = new int[n];
        StringBuilder csv = new StringBuilder("# a comment-like header;with;delimiters\n");
        for (int i = 0; i < n; i++) {
            classes[i] = random.nextInt(4);
            StringBuilder line = new StringBuilder();
            for (int c = 0, f = 0; c <= features; c++) {
                if (c > 0) {
                    line.append(';');
                }
                if (c == labelColumn) {
                    line.append(classes[i]);
                } else {
                    expected[i][f] = (float) random.nextGaussian();
                    line.append(expected[i][f++]);
                }
            }
            csv.append(line).append('\n');
            if (i == 6) {
                csv.append("\n"); // blank lines are ignored
            }
        }
        Path file = Files.writeString(dir.resolve("data.csv"), csv);

        DataSet data = CsvDataSetReader.builder().labelColumn(labelColumn).numClasses(4).delimiter(';')
                .skipLines(1).featureShape(3, 2, 2).build().read(file);

        assertArrayEquals(new long[] {n, 3, 2, 2}, data.getFeatures().shape());
        assertArrayEquals(new long[] {n, 4}, data.getLabels().shape());
        assertArrayEquals(classes, data.getLabels().argMax(1).toIntVector());
        assertEquals((double) n, data.getLabels().sumNumber().doubleValue(), "one-hot");
        INDArray flat = data.getFeatures().reshape(n, features);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(expected[i], flat.getRow(i).toFloatVector(), "row " + i);
        }
    }

    @Test
    void flatFeaturesByDefault() throws IOException {
        Path file = Files.writeString(dir.resolve("flat.csv"), "1,0.5,2\n0,3,-4.25\n");
        DataSet data = CsvDataSetReader.builder().numClasses(2).build().read(file);
        assertArrayEquals(new long[] {2, 2}, data.getFeatures().shape());
        assertArrayEquals(new float[] {0.5f, 2f, 3f, -4.25f}, data.getFeatures().reshape(4).toFloatVector());
        assertArrayEquals(new int[] {1, 0}, data.getLabels().argMax(1).toIntVector());
    }

    @Test
    void badInputNamesFileLineAndFix() throws IOException {
        CsvDataSetReader reader = CsvDataSetReader.builder().labelColumn(0).numClasses(3).build();
        Path outOfRange = Files.writeString(dir.resolve("range.csv"), "0,1,2\n3,1,2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader.read(outOfRange));
        assertTrue(e.getMessage().contains("range.csv:2") && e.getMessage().contains("0..2"), e.getMessage());

        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "0,1,2\n1,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> reader.read(ragged));
        assertTrue(e.getMessage().contains("ragged.csv:2") && e.getMessage().contains("columns"), e.getMessage());

        Path text = Files.writeString(dir.resolve("text.csv"), "0,1,x\n");
        e = assertThrows(IllegalArgumentException.class, () -> reader.read(text));
        assertTrue(e.getMessage().contains("text.csv:1 column 2"), e.getMessage());

        Path shape = Files.writeString(dir.resolve("shape.csv"), "0,1,2,3\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> CsvDataSetReader.builder().numClasses(3).featureShape(2, 2).build().read(shape));
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> CsvDataSetReader.builder().build());
        assertTrue(e.getMessage().contains("numClasses"), e.getMessage());
    }
}
