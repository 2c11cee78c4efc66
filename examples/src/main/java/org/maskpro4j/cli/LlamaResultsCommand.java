package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.maskpro4j.examples.llama.results.LlamaResults;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskpro llama-results}: the LLaMA (stories260K) result table of docs/llama-results.md, every row a pipeline
 * run under the reference protocol. Prints the table as Markdown.
 */
@Command(name = "llama-results", mixinStandardHelpOptions = true,
        description = "Measure the N:M result table on the llama2.c stories260K model (docs/llama-results.md).")
public final class LlamaResultsCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Folder with stories260K.bin, tok512.bin and the TinyStories splits (default ${DEFAULT-VALUE})")
    Path data = Path.of(System.getProperty("maskpro.shared.data", "../shared/data"), "llama2c");
    @Option(names = "--patterns", defaultValue = "2:4,4:8", split = ",", description = "N:M patterns (default ${DEFAULT-VALUE})")
    List<String> patterns;
    @Option(names = "--rows", defaultValue = "dense,magnitude,wanda,sparsegpt,maskpro", split = ",",
            description = "Rows to measure, some of dense, magnitude, wanda, sparsegpt, sparsegpt+reconstruct,"
                    + " sparsegpt+finetune, maskpro, maskpro+reconstruct, maskpro+reconstruct+finetune, maskllm"
                    + " (default ${DEFAULT-VALUE})")
    List<String> rows;
    @Option(names = "--steps", defaultValue = "500", description = "MaskPro steps at M = 4 (default ${DEFAULT-VALUE})")
    long steps;
    @Option(names = "--steps48", defaultValue = "300", description = "MaskPro steps at other M (default ${DEFAULT-VALUE})")
    long steps48;
    @Option(names = "--eval-every", defaultValue = "250", description = "MaskPro steps between progress evaluations on the"
            + " first 300 valid paragraphs, and checkpoints (default ${DEFAULT-VALUE})")
    int evalEvery;
    // measured best: η = 25 at 2:4 (46.94 after 500 steps); 4:8 was measured at η = 50 only
    @Option(names = "--eta", defaultValue = "25", description = "MaskPro η at M = 4, or \"default\" for MaskProConfig's"
            + " default of the update rule (default ${DEFAULT-VALUE})")
    String eta;
    @Option(names = "--eta48", defaultValue = "50", description = "MaskPro η at other M (default ${DEFAULT-VALUE})")
    double eta48;
    // C = 7 (2:4) and 8 (4:8) with two leave-one-out samples: the reference's C = 10, K = 1 barely moves in a few
    // hundred steps, lower C with K = 1 collapses (docs/llama-results.md)
    @Option(names = "--logits", defaultValue = "7", description = "MaskPro C at M = 4 (default ${DEFAULT-VALUE})")
    double logits;
    @Option(names = "--logits48", defaultValue = "8", description = "MaskPro C at other M (default ${DEFAULT-VALUE})")
    double logits48;
    @Option(names = "--alpha", defaultValue = "0.99", description = "MaskPro α (default ${DEFAULT-VALUE})")
    double alpha;
    // the tables of docs/llama-results.md were measured with the raw update; its η values are in loss units
    @Option(names = "--update", defaultValue = "raw", description = "MaskPro update rule: raw or normalized (default ${DEFAULT-VALUE})")
    String update;
    @Option(names = "--samples", defaultValue = "2", description = "MaskPro masks per step K (default ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--prior", defaultValue = LlamaResults.BEST, description = "best (lowest validation perplexity of the"
            + " frozen-weight one-shot rows) or one of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})",
            completionCandidates = MethodNames.Priors.class)
    String prior;
    @Option(names = "--maskllm-steps", defaultValue = "equal", description = "MaskLLM steps, or \"equal\": as many"
            + " forward+backward passes as the MaskPro row executes, steps·K + one prior pass per training batch"
            + " (default ${DEFAULT-VALUE})")
    String maskLlmSteps;
    @Option(names = "--calibration", defaultValue = "block", description = "block (one transformer block at a time, as"
            + " the reference code) or matrix (default ${DEFAULT-VALUE})")
    String calibration;
    @Option(names = "--checkpoints", description = "Folder for MaskPro checkpoints and cached prior masks; a run there resumes")
    Path checkpoints;
    @Option(names = "--finetune", defaultValue = "250", description = "Masked fine-tuning steps of the +finetune rows"
            + " (default ${DEFAULT-VALUE})")
    long fineTune;
    @Option(names = "--finetune-lr", defaultValue = "1e-3", description = "Their Adam learning rate (default ${DEFAULT-VALUE})")
    double fineTuneLr;
    @Option(names = "--second-text", description = "A second text whose perplexity the recovery rows also report")
    Path secondText;
    @Option(names = "--second", defaultValue = "200", description = "Paragraphs of --second-text measured (default ${DEFAULT-VALUE})")
    int secondParagraphs;
    @Option(names = "--threads", defaultValue = "1", description = "libnd4j threads (default ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--out", description = "Also write the table to this Markdown file")
    Path out;

    /** NaN for "default": MaskProConfig resolves η from the update rule, C and the step count. */
    private double eta() {
        try {
            return eta.equals("default") ? Double.NaN : Double.parseDouble(eta);
        } catch (NumberFormatException e) {
            throw new UserError("--eta must be a number or \"default\", got " + eta);
        }
    }

    private long maskLlmSteps() {
        try {
            return maskLlmSteps.equals("equal") ? LlamaResults.EQUAL_BUDGET : Long.parseLong(maskLlmSteps);
        } catch (NumberFormatException e) {
            throw new UserError("--maskllm-steps must be a number or \"equal\", got " + maskLlmSteps);
        }
    }

    private UpdateRule updateRule() {
        try {
            return UpdateRule.parse(update);
        } catch (IllegalArgumentException e) {
            throw new UserError("--update: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        if (!calibration.equals("block") && !calibration.equals("matrix")) {
            throw new UserError("--calibration must be block or matrix, got " + calibration);
        }
        if (threads < 1) {
            throw new UserError("--threads must be positive, got " + threads);
        }
        new CommandFiles().outputFile("--out", out).check();
        LlamaResults.Options options = new LlamaResults.Options(data, patterns.stream().map(NmPattern::parse).toList(),
                rows, steps, steps48, evalEvery, eta(), eta48, logits, logits48, alpha, samples, seed, prior, maskLlmSteps(),
                checkpoints, calibration.equals("block"), updateRule(), fineTune, fineTuneLr, secondText,
                secondParagraphs);
        if (!Files.isRegularFile(data.resolve("stories260K.bin"))) {
            throw new UserError("stories260K.bin not found in " + data + ": pass --data with the llama2c folder of the shared data");
        }
        // on a shared machine libnd4j's OpenMP and master threads otherwise wait on each other
        Nd4j.getEnvironment().setMaxMasterThreads(threads);   // loads the backend before NativeOpsHolder
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        String table = LlamaResults.run(options, threads);
        Json.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
        return 0;
    }
}
