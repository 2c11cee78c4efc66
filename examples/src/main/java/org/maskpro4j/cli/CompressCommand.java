package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.inference.CompressedLlama;
import org.maskpro4j.inference.CompressedModel;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmModelFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskpro compress}: a strictly N:M pruned model (DL4J zip (MultiLayerNetwork or ComputationGraph) or llama2.c .bin) as a compressed
 * model file, whose N:M matrices keep only the kept values and their 2-bit (at M=4) positions.
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Store a pruned model's N:M weights compressed (values + packed positions) for fast inference.")
public final class CompressCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Pruned model: DL4J zip (MultiLayerNetwork or ComputationGraph) or llama2.c .bin")
    Path model;

    @Option(names = "--out", required = true, description = "Compressed model file to write (e.g. pruned.nmz)")
    Path out;

    @Option(names = "--pattern", defaultValue = "2:4", description = "The model's N:M pattern (default ${DEFAULT-VALUE})")
    String pattern;

    @Option(names = "--exclude", split = ",",
            description = "Layers (DL4J) or matrices (llama: w2 or layers.0.w2) to store dense")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() throws IOException {
        NmPattern nm = NmPattern.parse(pattern);
        if (!Files.isRegularFile(model)) {
            throw new UserError("Model file not found: " + model);
        }
        if (Files.exists(out) && Files.isSameFile(model, out)) {
            throw new UserError("--out " + out + " is the input model: choose another file (the input is never modified)");
        }
        NmModelFile compressed;
        try {
            compressed = compress(nm);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (compress stores a layer dense with --exclude NAME)", e);
        }
        compressed.write(out);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("out", out.toString());
        m.put("pattern", nm.toString());
        m.put("nm_matrices", compressed.matrices().size());
        m.put("weight_bytes", compressed.weightBytes());
        m.put("dense_weight_bytes", compressed.denseWeightBytes());
        m.put("weight_bytes_ratio", (double) compressed.weightBytes() / compressed.denseWeightBytes());
        m.put("file_bytes", Files.size(out));
        m.put("input_file_bytes", Files.size(model));
        if (json) {
            Json.print(m);
        } else {
            Json.println(String.format(Locale.ROOT, "wrote %s: %d N:M matrices, weights %d bytes (dense fp32 %d, ratio %.3f),"
                    + " file %d bytes (input %d)", out, compressed.matrices().size(), compressed.weightBytes(),
                    compressed.denseWeightBytes(), (double) compressed.weightBytes() / compressed.denseWeightBytes(),
                    Files.size(out), Files.size(model)));
        }
        return 0;
    }

    private NmModelFile compress(NmPattern nm) throws IOException {
        if (ModelLoader.infer(model).equals("llama2c")) {
            return CompressedLlama.compress(Llama2cCheckpoint.read(model), nm, exclude);
        }
        return CompressedModel.compress(Dl4jWorkload.load(model).model(), nm, exclude);
    }
}
