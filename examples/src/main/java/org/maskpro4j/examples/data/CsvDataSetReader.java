package org.maskpro4j.examples.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.ops.NDBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a classification data set from delimited text: one example per line, an integer class index in one
 * column and numeric features in all the others (in file order). Features can be reshaped per example, e.g. to
 * {@code [1,28,28]} for a CNN; labels become one-hot {@code [n, numClasses]}.
 */
public final class CsvDataSetReader {
    private static final Logger LOG = LoggerFactory.getLogger(CsvDataSetReader.class);

    private final int labelColumn;
    private final int numClasses;
    private final Pattern delimiter;
    private final int skipLines;
    private final long[] featureShape;

    private CsvDataSetReader(Builder b) {
        if (b.labelColumn < 0) {
            throw new IllegalArgumentException("CSV label column must be >= 0 (0-based), got " + b.labelColumn);
        }
        if (b.numClasses < 2) {
            throw new IllegalArgumentException("CSV numClasses must be at least 2, got " + b.numClasses
                    + ": set it to the number of classes the label column can hold");
        }
        if (b.skipLines < 0) {
            throw new IllegalArgumentException("CSV skipLines must be >= 0, got " + b.skipLines);
        }
        if (b.featureShape != null && Arrays.stream(b.featureShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("CSV feature shape " + Arrays.toString(b.featureShape)
                    + " must have positive dimensions");
        }
        this.labelColumn = b.labelColumn;
        this.numClasses = b.numClasses;
        this.delimiter = Pattern.compile(Pattern.quote(String.valueOf(b.delimiter)));
        this.skipLines = b.skipLines;
        this.featureShape = b.featureShape == null ? null : b.featureShape.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads every non-blank line after the skipped header lines. */
    public DataSet read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("CSV file " + file + " does not exist or is not a regular file");
        }
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int columns = -1;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (lineNumber <= skipLines || line.isBlank()) {
                    continue;
                }
                String[] fields = delimiter.split(line.strip(), -1);
                if (columns < 0) {
                    columns = fields.length;
                    if (labelColumn >= columns) {
                        throw new IllegalArgumentException("CSV " + file + ":" + lineNumber + " has " + columns
                                + " columns, so label column " + labelColumn + " does not exist");
                    }
                } else if (fields.length != columns) {
                    throw new IllegalArgumentException("CSV " + file + ":" + lineNumber + " has " + fields.length
                            + " columns, earlier lines have " + columns);
                }
                labels.add(parseLabel(fields[labelColumn], file, lineNumber));
                rows.add(parseFeatures(fields, file, lineNumber));
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("CSV file " + file + " is not UTF-8 text (" + e.getMessage() + "): save it"
                    + " as UTF-8", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read CSV file " + file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("CSV file " + file + " holds no examples after skipping "
                    + skipLines + " header line(s)");
        }
        DataSet data = new DataSet(shapeFeatures(rows, file), oneHot(labels));
        LOG.info("Read {} examples with {} features from {}", rows.size(), columns - 1, file);
        return data;
    }

    private int parseLabel(String field, Path file, int lineNumber) {
        double value = parseNumber(field, file, lineNumber, labelColumn);
        if (value != Math.rint(value) || value < 0 || value >= numClasses) {
            throw new IllegalArgumentException("CSV " + file + ":" + lineNumber + " label \"" + field.strip()
                    + "\" is not a class index in 0.." + (numClasses - 1));
        }
        return (int) value;
    }

    private float[] parseFeatures(String[] fields, Path file, int lineNumber) {
        float[] row = new float[fields.length - 1];
        int k = 0;
        for (int c = 0; c < fields.length; c++) {
            if (c != labelColumn) {
                row[k++] = (float) parseNumber(fields[c], file, lineNumber, c);
            }
        }
        return row;
    }

    private static double parseNumber(String field, Path file, int lineNumber, int column) {
        try {
            return Double.parseDouble(field.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CSV " + file + ":" + lineNumber + " column " + column + ": \""
                    + field + "\" is not a number", e);
        }
    }

    private INDArray shapeFeatures(List<float[]> rows, Path file) {
        INDArray features = Nd4j.createFromArray(rows.toArray(new float[0][]));
        if (featureShape == null) {
            return features;
        }
        long perExample = Arrays.stream(featureShape).reduce(1, Math::multiplyExact);
        if (perExample != features.size(1)) {
            throw new IllegalArgumentException("CSV " + file + " has " + features.size(1) + " features per example,"
                    + " which cannot be reshaped to " + Arrays.toString(featureShape));
        }
        long[] shape = new long[featureShape.length + 1];
        shape[0] = rows.size();
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        return features.reshape('c', shape);
    }

    private INDArray oneHot(List<Integer> labels) {
        INDArray classes = Nd4j.createFromArray(labels.stream().mapToInt(Integer::intValue).toArray());
        return new NDBase().oneHot(classes, numClasses, -1, 1.0, 0.0, DataType.FLOAT);
    }

    public static final class Builder {
        private int labelColumn;
        private int numClasses = -1;
        private char delimiter = ',';
        private int skipLines;
        private long[] featureShape;

        private Builder() {
        }

        /** 0-based index of the column holding the class index (default 0). */
        public Builder labelColumn(int column) {
            this.labelColumn = column;
            return this;
        }

        /** Required: the number of classes, i.e. the width of the one-hot labels. */
        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        public Builder delimiter(char delimiter) {
            this.delimiter = delimiter;
            return this;
        }

        /** Header lines to skip before the first example (default 0). */
        public Builder skipLines(int lines) {
            this.skipLines = lines;
            return this;
        }

        /** Per-example feature shape, e.g. {@code 1, 28, 28}; default: flat {@code [n, features]}. */
        public Builder featureShape(long... shape) {
            this.featureShape = shape.clone();
            return this;
        }

        public CsvDataSetReader build() {
            return new CsvDataSetReader(this);
        }
    }
}
