package org.maskpro4j.cli;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskpro eval}: loss and accuracy of a classifier, or perplexity of a language model. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model on held-out data.")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() throws IOException {
        new CommandFiles().model(modelOptions).data(dataOptions).check();
        Map<String, Object> metrics = evaluate(modelOptions.load());
        if (json) {
            Json.print(metrics);
        } else {
            Json.println(metrics.toString());
        }
        return 0;
    }

    private <B> Map<String, Object> evaluate(Workload<B> w) throws IOException {
        // evaluation reads the data given with --data itself (or --valid); an IDX directory gives its test split
        return w.evaluate(w.evalBatches(dataOptions.data, dataOptions.valid, dataOptions.evalExamples, dataOptions.batch));
    }
}
