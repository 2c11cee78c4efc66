package org.maskpro4j.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** How a command finds its model and data. */
public final class ModelOptions {
    @Option(names = "--model", required = true, description = "Model file (DL4J zip, Keras .h5, llama2.c .bin, SameDiff .fb) or zoo:NAME")
    String model;

    @Option(names = "--format", description = "dl4j, keras, llama2c, samediff (inferred from the file when omitted: .zip, .h5, .bin, .fb)")
    String format;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer.bin (default: tok512.bin or tokenizer.bin beside the model)")
    Path tokenizer;

    @Option(names = "--weights", description = "With --model zoo:NAME: a DL4J zip of the same architecture holding your trained weights")
    Path weights;

    @Option(names = "--random-weights", description = "With --model zoo:NAME and no --weights: prune randomly initialised weights (for trying the tool only)")
    boolean randomWeights;

    @Option(names = "--classes", defaultValue = "10", description = "With --model zoo:NAME: number of classes (default ${DEFAULT-VALUE})")
    int classes;

    public Workload<?> load() {
        return ModelLoader.load(this, true);
    }

    /** The model without what only data needs (a llama2.c file loads without its tokenizer), for {@code verify}. */
    Workload<?> loadWeightsOnly() {
        return ModelLoader.load(this, false);
    }

    /** Checks the option combinations picocli cannot, then names this model's files to {@code files}. */
    void addTo(CommandFiles files) {
        boolean zoo = model.startsWith("zoo:");
        if (!zoo && (weights != null || randomWeights)) {
            throw new UserError((weights != null ? "--weights" : "--random-weights") + " goes with --model zoo:NAME only;"
                    + " " + model + " carries its own weights: drop the option");
        }
        if (weights != null && randomWeights) {
            throw new UserError("--weights and --random-weights contradict each other: pass your trained weights with"
                    + " --weights FILE, or --random-weights alone to try the tool on untrained weights");
        }
        if (classes < 1) {
            throw new UserError("--classes " + classes + ": a classifier needs at least 1 class (the number of outputs of"
                    + " your zoo model)");
        }
        files.input("--model", zoo ? null : Path.of(model), CommandFiles.Kind.FILE, "Model file")
                .input("--tokenizer", tokenizer, CommandFiles.Kind.FILE, "Tokenizer file")
                .input("--weights", weights, CommandFiles.Kind.FILE, "Weights file");
    }
}
