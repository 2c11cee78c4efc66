package org.maskpro4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.inference.CompressedLlama;
import org.maskpro4j.examples.llama.inference.Generation;
import org.maskpro4j.examples.llama.inference.LlamaRuntime;
import org.maskpro4j.examples.llama.inference.Sampler;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmModelFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskpro generate}: text from a llama2.c model, dense (.bin) or compressed (maskpro compress), with tokens/s. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text with a llama2.c model on dense or compressed N:M weights and report tokens/s.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "llama2.c checkpoint (.bin) or its compressed file")
    Path model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer.bin (default: tok512.bin or tokenizer.bin beside the model)")
    Path tokenizer;

    @Option(names = "--prompt", defaultValue = "", description = "Text to continue (default: none, start from BOS)")
    String prompt;

    @Option(names = "--steps", defaultValue = "256", description = "Positions to run, prompt included, at most seq_len (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy decoding, else the sampling temperature (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "N:M kernel threads (default: all processors)")
    Integer threads;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of the text as it comes")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (steps < 1) {
            throw new UserError("--steps must be at least 1, got " + steps);
        }
        if (!Files.isRegularFile(model)) {
            throw new UserError("Model file not found: " + model);
        }
        NmKernel kernel = NmKernel.best(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        boolean compressed = ModelLoader.infer(model).equals("compressed");
        LlamaRuntime runtime;
        if (compressed) {
            NmModelFile file = NmModelFile.read(model);
            if (!CompressedLlama.holdsLlama(file)) {
                throw new UserError(model + " is a compressed DL4J network, not a llama2.c model: generate needs a language model");
            }
            runtime = LlamaRuntime.compressed(file, kernel);
        } else if (ModelLoader.infer(model).equals("llama2c")) {
            runtime = LlamaRuntime.dense(Llama2cCheckpoint.read(model));
        } else {
            throw new UserError("generate needs a llama2.c checkpoint (.bin) or its compressed file, got " + model);
        }
        Path tokPath = tokenizer != null ? tokenizer : LlamaWorkload.defaultTokenizer(model);
        if (tokPath == null) {
            throw new UserError("No tokenizer for " + model + ": pass --tokenizer FILE (llama2.c tokenizer.bin format)");
        }
        Llama2cTokenizer tok = Llama2cTokenizer.read(tokPath, runtime.config().vocabSize());
        int[] promptTokens = tok.encode(prompt, true, false);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int[] prev = {promptTokens[promptTokens.length - 1]};
        Generation g = Generation.run(runtime, promptTokens, steps, new Sampler(temperature, seed), t -> {
            byte[] piece = tok.decode(prev[0], t);
            prev[0] = t;
            text.writeBytes(piece);
        });
        String weights = compressed ? "N:M (" + kernel.implementation().name().toLowerCase(Locale.ROOT) + " kernel, "
                + kernel.threads() + " threads)" : "dense (ND4J)";
        String all = tok.decode(promptTokens) + text.toString(StandardCharsets.UTF_8);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", all);
            m.put("tokens", g.tokens().length);
            m.put("tokens_per_s", g.tokensPerSecond());
            m.put("weights", compressed ? "nm" : "dense");
            m.put("kernel", compressed ? kernel.implementation().name() : "nd4j");
            Json.print(m);
        } else {
            Json.println(all);
            Json.println(String.format(Locale.ROOT, "achieved tok/s: %.1f on %s weights", g.tokensPerSecond(), weights));
        }
        return 0;
    }
}
