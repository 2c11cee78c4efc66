package org.maskpro4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Opens the model a command names, in the format given or inferred from the file. */
final class ModelLoader {
    private ModelLoader() {
    }

    /** @param withTokenizer false when only the weights are used: a llama2.c model then loads without a tokenizer */
    static Workload<?> load(ModelOptions o, boolean withTokenizer) {
        try {
            if (o.model.startsWith("zoo:")) {
                return ZooModels.load(o.model.substring(4), o.weights, o.randomWeights, o.classes);
            }
            Path file = Path.of(o.model);
            if (!Files.isRegularFile(file)) {
                throw new UserError("Model file not found: " + file);
            }
            String format = o.format != null ? o.format.toLowerCase(Locale.ROOT) : infer(file);
            return switch (format) {
                case "dl4j" -> Dl4jWorkload.load(file);
                case "keras" -> KerasWorkload.importH5(file);
                case "llama2c" -> LlamaWorkload.load(file, o.tokenizer, withTokenizer);
                case "samediff" -> SameDiffWorkload.load(file);
                case "compressed" -> CompressedModels.load(file, o.tokenizer, withTokenizer);
                default -> throw new UserError("Unknown model format \"" + format + "\": use dl4j, keras, llama2c, samediff or compressed");
            };
        } catch (IOException e) {
            throw new UserError("Cannot read model " + o.model + ": " + e.getMessage(), e);
        }
    }

    /** Zip → DL4J, HDF5 → Keras, .fb (SameDiff's FlatBuffers) → SameDiff, .bin → llama2.c. */
    static String infer(Path file) throws IOException {
        byte[] head = head(file);
        if (head.length >= 4 && head[0] == 'M' && head[1] == 'P' && head[2] == 'N' && head[3] == 'M') {
            return "compressed";
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
            return "dl4j";
        }
        if (isHdf5(file)) {
            return "keras";
        }
        String name = file.getFileName().toString();
        if (name.endsWith(".fb")) {
            return "samediff";
        }
        if (name.endsWith(".bin")) {
            return "llama2c";
        }
        throw new UserError("Cannot tell the format of " + file + ": pass --format dl4j, keras, llama2c or samediff");
    }

    /** True when the file starts with the HDF5 signature (at offset 0, where Keras writes it). */
    static boolean isHdf5(Path file) throws IOException {
        byte[] head = head(file);
        return head.length >= 4 && (head[0] & 0xff) == 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F';
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(8);
        }
    }
}
