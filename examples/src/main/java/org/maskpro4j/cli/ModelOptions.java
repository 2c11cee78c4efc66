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
        return ModelLoader.load(this);
    }
}
