package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.maskpro4j.examples.data.CsvDataSetReader;
import org.maskpro4j.examples.data.DataSetDirectory;
import org.maskpro4j.examples.data.FashionMnist;
import org.nd4j.linalg.dataset.DataSet;

/** Labelled classifier data from an IDX directory (MNIST format), a directory of saved DataSets, or a CSV file. */
final class LabelledData {
    /** Which part of a data source a command reads. */
    enum Part {
        /** Examples to learn and calibrate on. */
        TRAIN,
        /** The held-out part that goes with the training data (an IDX test split, a text's last tenth). */
        HELD_OUT,
        /** A source given for evaluation alone (--valid): all of it, or an IDX directory's test split. */
        ALL
    }

    private LabelledData() {
    }

    /** An IDX directory gives its train or test split, other sources all their examples; at most {@code maxExamples}. */
    static DataSet read(Path path, Part part, int maxExamples, int numClasses) throws IOException {
        if (!Files.exists(path)) {
            throw new UserError("Data not found: " + path);
        }
        DataSet all;
        if (Files.isDirectory(path) && FashionMnist.isAvailable(path)) {
            all = FashionMnist.at(path).load(part == Part.TRAIN ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST, maxExamples);
        } else if (Files.isDirectory(path) && looksLikeIdx(path)) {
            // some but not all four IDX files: FashionMnist names the missing one
            all = FashionMnist.at(path).load(FashionMnist.Split.TEST, maxExamples);
        } else if (Files.isDirectory(path)) {
            all = DataSetDirectory.load(path);
        } else if (path.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            all = CsvDataSetReader.builder().numClasses(numClasses).build().read(path);
        } else {
            throw new UserError("Cannot read data " + path + ": expected an IDX directory (MNIST format), a directory of"
                    + " saved DataSets (*.bin) or a .csv file");
        }
        if (all.numExamples() == 0) {
            throw new UserError("Data " + path + " holds no examples");
        }
        FiniteValues.requireFiniteData(all.getFeatures(), "features", path);
        FiniteValues.requireFiniteData(all.getLabels(), "labels", path);
        return all.numExamples() > maxExamples ? (DataSet) all.getRange(0, maxExamples) : all;
    }

    private static boolean looksLikeIdx(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().contains("-idx"));
        }
    }

    static List<DataSet> split(DataSet all, int batchSize) {
        List<DataSet> out = new ArrayList<>();
        for (int start = 0; start < all.numExamples(); start += batchSize) {
            out.add((DataSet) all.getRange(start, Math.min(all.numExamples(), start + batchSize)));
        }
        if (out.isEmpty()) {
            throw new UserError("The data holds no examples");
        }
        return out;
    }

    /** The first line of a library's message, for a one-line user error. */
    static String firstLine(String message) {
        return message == null ? "(no message)" : message.lines().findFirst().orElse("").strip();
    }
}
