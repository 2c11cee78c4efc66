package org.maskpro4j.examples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of DL4J DataSets saved with {@link DataSet#save}, one {@code *.bin} file per chunk. Files are read in
 * name order and concatenated, so a directory written by {@link #save} loads back in its original order.
 */
public final class DataSetDirectory {
    public static final String EXTENSION = ".bin";
    private static final Logger LOG = LoggerFactory.getLogger(DataSetDirectory.class);

    private DataSetDirectory() {
    }

    /** The {@code *.bin} files of {@code directory}, sorted by name. */
    public static List<Path> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("DataSet directory " + directory + " does not exist or is not a"
                    + " directory: pass a directory of *.bin files written by DataSet.save");
        }
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> files = entries.filter(p -> p.getFileName().toString().endsWith(EXTENSION))
                    .filter(Files::isRegularFile).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("DataSet directory " + directory + " holds no *" + EXTENSION
                        + " files: pass a directory of DataSets written by DataSet.save");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list DataSet directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** All DataSets of {@code directory} concatenated along the example dimension. */
    public static DataSet load(Path directory) {
        List<DataSet> parts = new ArrayList<>();
        long[] featureShape = null;
        long[] labelShape = null;
        Path first = null;
        for (Path file : files(directory)) {
            DataSet part = loadOne(file);
            long[] f = perExample(part.getFeatures().shape());
            long[] l = perExample(part.getLabels().shape());
            if (first == null) {
                first = file;
                featureShape = f;
                labelShape = l;
            } else if (!Arrays.equals(f, featureShape) || !Arrays.equals(l, labelShape)) {
                throw new IllegalArgumentException("DataSet file " + file + " has per-example features "
                        + Arrays.toString(f) + " / labels " + Arrays.toString(l) + " but " + first + " has "
                        + Arrays.toString(featureShape) + " / " + Arrays.toString(labelShape)
                        + ": all files of a directory must hold the same kind of example");
            }
            parts.add(part);
        }
        DataSet all = parts.size() == 1 ? parts.get(0) : DataSet.merge(parts);
        LOG.info("Loaded {} examples from {} DataSet files in {}", all.numExamples(), parts.size(), directory);
        return all;
    }

    /**
     * Writes {@code data} as {@code part-00000.bin}, {@code part-00001.bin}, ... with at most
     * {@code examplesPerFile} examples each; returns the files written.
     */
    public static List<Path> save(DataSet data, Path directory, int examplesPerFile) {
        if (examplesPerFile < 1) {
            throw new IllegalArgumentException("examplesPerFile must be at least 1, got " + examplesPerFile);
        }
        try {
            Files.createDirectories(directory);
            List<Path> written = new ArrayList<>();
            int n = data.numExamples();
            for (int from = 0; from < n; from += examplesPerFile) {
                Path file = directory.resolve(String.format("part-%05d%s", written.size(), EXTENSION));
                ExampleRange.slice(data, from, Math.min(n, from + examplesPerFile)).save(file.toFile());
                written.add(file);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write DataSets to " + directory + ": " + e.getMessage(), e);
        }
    }

    private static DataSet loadOne(Path file) {
        DataSet part = new DataSet();
        try {
            part.load(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("DataSet file " + file + " cannot be read as a DL4J DataSet ("
                    + e.getMessage() + "): was it written by DataSet.save?", e);
        }
        if (part.getFeatures() == null || part.getLabels() == null) {
            throw new IllegalArgumentException("DataSet file " + file + " lacks features or labels");
        }
        return part;
    }

    private static long[] perExample(long[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }
}
