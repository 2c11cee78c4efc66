package org.maskpro4j.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Where a command's data comes from and how much of it it uses. */
public final class DataOptions {
    @Option(names = "--data", required = true, description = "IDX directory, directory of saved DataSets, CSV, or a text file of paragraphs")
    Path data;

    @Option(names = "--valid", description = "Held-out data for evaluation, all of it (default: the test split of an IDX directory, the last"
            + " tenth of a text for a character model, else --data)")
    Path valid;

    @Option(names = "--examples", defaultValue = "2048", description = "Examples (paragraphs) used for learning/calibration (default ${DEFAULT-VALUE})")
    int examples;

    @Option(names = "--eval-examples", defaultValue = "10000", description = "Examples (paragraphs) used for evaluation (default ${DEFAULT-VALUE})")
    int evalExamples;

    @Option(names = "--batch", defaultValue = "64", description = "Minibatch size, in examples or paragraphs; llama2.c"
            + " evaluation batches paragraphs of similar length by tokens instead (default ${DEFAULT-VALUE})")
    int batch;

    /** Picocli checks types, not ranges. */
    DataOptions validated() {
        if (examples < 1 || evalExamples < 1 || batch < 1) {
            throw new UserError("--examples, --eval-examples and --batch must be positive, got " + examples + ", "
                    + evalExamples + " and " + batch);
        }
        return this;
    }

    void addTo(CommandFiles files) {
        files.input("--data", data, CommandFiles.Kind.FILE_OR_DIRECTORY, "Data")
                .input("--valid", valid, CommandFiles.Kind.FILE_OR_DIRECTORY, "Validation data");
    }
}
