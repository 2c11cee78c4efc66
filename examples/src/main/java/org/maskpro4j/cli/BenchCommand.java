package org.maskpro4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.maskpro4j.examples.bench.BenchConfig;
import org.maskpro4j.examples.bench.BenchReport;
import org.maskpro4j.examples.bench.BenchSubject;
import org.maskpro4j.examples.bench.Benchmarks;
import org.maskpro4j.examples.bench.Dl4jSubject;
import org.maskpro4j.examples.bench.ForkedProbes;
import org.maskpro4j.examples.bench.InferenceBenchmark;
import org.maskpro4j.examples.bench.InferenceReport;
import org.maskpro4j.examples.bench.LlamaSubject;
import org.maskpro4j.examples.bench.MemoryPeak;
import org.maskpro4j.examples.bench.MemoryProbe;
import org.maskpro4j.examples.bench.MemoryProbes;
import org.maskpro4j.examples.bench.MemoryWorkload;
import org.maskpro4j.examples.bench.ScalingBenchmark;
import org.maskpro4j.examples.bench.ScalingModel;
import org.maskpro4j.examples.bench.ScalingReport;
import org.maskpro4j.examples.bench.SyntheticMlp;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.progress.PeakMemory;
import org.nd4j.linalg.dataset.DataSet;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskpro bench}: every performance claim as a ratio against a baseline measured in the same run, on the
 * Fashion-MNIST CNN, the stories260K LLaMA, a synthetic wide MLP, random LLaMAs and MLPs of growing size
 * ({@code --scaling}) or a model file. Memory probes run in child JVMs (this command with the
 * hidden {@code --memory-probe}), one per workload, so every peak is measured from a clean process.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure MaskPro's costs as ratios against baselines taken in the same run.")
public final class BenchCommand implements Callable<Integer> {
    static final String FASHION_CNN = "fashion-cnn";
    static final String LLAMA = "llama";
    static final String MLP = "mlp";
    /** The seed of the demo's CNN, whose trained weights the bench reuses. */
    private static final long CNN_SEED = 42;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = FASHION_CNN,
            description = "fashion-cnn (the demo's trained CNN), llama (stories260K), mlp (a random 6.3 M-weight MLP on random"
                    + " data, the same as mlp:6M), llama-random:15M|42M|110M (random LLaMAs of llama2.c's stories shapes,"
                    + " 512-token vocabulary), mlp:6M|25M|100M, or a model file (default ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--data", description = "Data for a model file (as for prune); fashion-cnn: Fashion-MNIST IDX directory"
            + " (default /usr/share/datasets/fashion-mnist); llama: a text file (default tinystories_train.txt in --llama-dir)")
    Path data;
    @Option(names = "--tokenizer", description = "llama2.c tokenizer for a .bin model file (default: beside it)")
    Path tokenizer;
    @Option(names = "--llama-dir", defaultValue = "${sys:maskpro.shared.data:-../shared/data}/llama2c",
            description = "Directory with stories260K.bin, tok512.bin and tinystories_train.txt (default ${DEFAULT-VALUE})")
    Path llamaDir;
    @Option(names = "--cnn-cache", defaultValue = "maskpro-demo/fashion-cnn-seed42.zip",
            description = "The trained CNN (trained there once if absent; default ${DEFAULT-VALUE}, as the demo)")
    Path cnnCache;
    @Option(names = "--pattern", defaultValue = "2:4",
            description = "Pattern of the step, wrapper and learning-memory ratios (default ${DEFAULT-VALUE})")
    String pattern;
    @Option(names = "--batch", description = "Minibatch size (default 64 examples, 8 paragraphs for llama, 4 sequences for"
            + " llama-random, 256 for mlp)")
    Integer batch;
    @Option(names = "--batches", defaultValue = "8",
            description = "Minibatches loaded; memory probes cycle over them (default ${DEFAULT-VALUE})")
    int batches;
    @Option(names = "--repeats", defaultValue = "7",
            description = "Timed samples per ratio, reported as their median (default ${DEFAULT-VALUE})")
    int repeats;
    @Option(names = "--warmup", defaultValue = "3",
            description = "Warm-up runs before timing (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--sample-seconds", defaultValue = "0.5",
            description = "About how long one timed sample runs (default ${DEFAULT-VALUE})")
    double sampleSeconds;
    @Option(names = "--groups", defaultValue = "1048576",
            description = "Groups for groups_per_s (default ${DEFAULT-VALUE})")
    long groups;
    @Option(names = "--memory-steps", defaultValue = "20",
            description = "Steps (forwards) each memory probe runs (default ${DEFAULT-VALUE})")
    int memorySteps;
    @Option(names = "--maskllm-patterns", defaultValue = "2:4,4:8", split = ",",
            description = "Patterns of maskllm_over_maskpro_mem (default ${DEFAULT-VALUE}; MaskLLM 4:8 on the MLP needs ~2 GB)")
    List<String> maskLlmPatterns;
    @Option(names = "--memory-runs", defaultValue = "2",
            description = "Runs of each memory probe (default ${DEFAULT-VALUE})")
    int memoryRuns;
    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of every random choice (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--seq-len", defaultValue = "64",
            description = "llama-random: tokens per sequence, paragraphs cut to it (default ${DEFAULT-VALUE})")
    int seqLen;
    @Option(names = "--scaling", description = "Measure step, forward, groups/s and memory on every --scaling-models model"
            + " and fit how each grows with the prunable weights (log-log slope); --plot FILE.png draws it")
    boolean scaling;
    @Option(names = "--scaling-models", split = ",",
            defaultValue = "llama-random:15M,llama-random:42M,llama-random:110M,mlp:6M,mlp:25M,mlp:100M",
            description = "With --scaling: the models, smallest first per family (default ${DEFAULT-VALUE})")
    List<String> scalingModels;
    @Option(names = "--markdown", description = "Also write the Markdown table to this file")
    Path markdown;
    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;
    @Mixin
    InferenceBenchOptions inferenceBench;
    @Option(names = "--memory-probe", hidden = true, description = "Internal: run one memory workload and print its peak")
    String memoryProbe;

    @Override
    public Integer call() throws IOException {
        if (inferenceBench.inference) {
            InferenceReport inference = inferenceBench.run(pattern, warmup, repeats, sampleSeconds, seed);
            return emit(inference.toMarkdown(), inference.toJson());
        }
        NmPattern nm = NmPattern.parse(pattern);
        if (repeats < 2) {
            throw new UserError("--repeats must be at least 2 (5 or more for numbers to publish), got " + repeats);
        }
        if (memoryProbe != null) {
            // taken before the model loads: working memory is what comes on top of the runtime
            long runtime = PeakMemory.runtimeFootprint();
            BenchSubject<?> subject = load();
            MemoryPeak peak = new MemoryProbe(runtime, memorySteps, seed).run(subject, MemoryWorkload.parse(memoryProbe), nm);
            Json.print(peak.toJson());
            return 0;
        }
        BenchConfig config = BenchConfig.builder().pattern(nm).repeats(repeats).warmup(warmup).sampleSeconds(sampleSeconds)
                .groups(groups).memoryRuns(memoryRuns).seed(seed)
                .maskLlmPatterns(maskLlmPatterns.stream().map(NmPattern::parse).toList()).build();
        if (scaling) {
            return scaling(config);
        }
        BenchSubject<?> subject = load();
        MemoryProbes probes = new ForkedProbes(Maskpro.class.getName(), (w, p) -> probeArguments(model, w, p));
        BenchReport report = Benchmarks.run(subject, config, probes, commandLine());
        return emit(report.toMarkdown(), report.toJson());
    }

    private int scaling(BenchConfig config) throws IOException {
        List<ScalingModel> models = new ArrayList<>();
        for (String name : scalingModels) {
            models.add(scalingModel(name).orElseThrow(() -> new UserError("--scaling-models takes llama-random:15M|42M|110M"
                    + " and mlp:6M|25M|100M, got \"" + name + "\"")));
        }
        ScalingReport report = ScalingBenchmark.run(models, m -> {
            try {
                return scalingSubject(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, m -> new ForkedProbes(Maskpro.class.getName(), (w, p) -> probeArguments(m.cliName(), w, p)),
                BenchCommand::tokensPerBatch, config, System.err::println, commandLine());
        if (inferenceBench.plot != null) {
            report.writePlot(inferenceBench.plot);
        }
        return emit(report.toMarkdown(), report.toJson());
    }

    private static long tokensPerBatch(BenchSubject<?> subject) {
        Object first = subject.batches().get(0);
        if (first instanceof LlamaBatch b) {
            return b.batchSize() * b.length();
        }
        return ((DataSet) first).numExamples();
    }

    private static Optional<ScalingModel> scalingModel(String name) {
        try {
            return ScalingModel.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    /** A model of the scaling set: random weights (seeded), TinyStories text for the LLaMAs. */
    private BenchSubject<?> scalingSubject(ScalingModel m) throws IOException {
        if (!m.llama()) {
            return SyntheticMlp.subject(m.mlpWidth(), batch != null ? batch : 256, batches, seed);
        }
        Path text = data != null ? data : llamaDir.resolve("tinystories_train.txt");
        Path tok = tokenizer != null ? tokenizer : llamaDir.resolve("tok512.bin");
        for (Path p : List.of(text, tok)) {
            if (!Files.isRegularFile(p)) {
                throw new UserError(m.cliName() + " needs " + p + ": pass --llama-dir DIR holding tok512.bin and"
                        + " tinystories_train.txt (or --tokenizer and --data)");
            }
        }
        if (seqLen < 2) {
            throw new UserError("--seq-len must be at least 2, got " + seqLen);
        }
        int size = batch != null ? batch : 4;
        List<LlamaBatch> data = LlamaBatches.fromText(text, Llama2cTokenizer.read(tok, ScalingModel.VOCAB), seqLen, size,
                size * batches);
        LlamaGraph graph = LlamaGraph.build(InferenceBenchmark.randomCheckpoint(m.llamaConfig(seqLen), seed));
        return new LlamaSubject(m.cliName() + " (" + m.llamaConfig(seqLen).dim() + " dim, "
                + m.llamaConfig(seqLen).layers() + " layers)", graph, data);
    }

    /** The report as JSON (--json) or its Markdown table on stdout, and the table in --markdown. */
    private int emit(String table, Map<String, Object> jsonObject) throws IOException {
        if (markdown != null) {
            Files.writeString(markdown, table);
        }
        if (json) {
            Json.print(jsonObject);
        } else {
            Json.println(table);
        }
        return 0;
    }

    private String commandLine() {
        return "maskpro " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    /** The child's command line: the same model and data, one workload at one pattern. */
    private List<String> probeArguments(String modelName, MemoryWorkload workload, NmPattern p) {
        List<String> args = new ArrayList<>(List.of("bench", "--model", modelName, "--llama-dir", llamaDir.toString(),
                "--seq-len", Integer.toString(seqLen),
                "--cnn-cache", cnnCache.toString(), "--batches", Integer.toString(batches), "--seed", Long.toString(seed),
                "--memory-steps", Integer.toString(memorySteps), "--pattern", p.toString(),
                "--memory-probe", workload.cliName()));
        if (data != null) {
            args.addAll(List.of("--data", data.toString()));
        }
        if (tokenizer != null) {
            args.addAll(List.of("--tokenizer", tokenizer.toString()));
        }
        if (batch != null) {
            args.addAll(List.of("--batch", batch.toString()));
        }
        return args;
    }

    private BenchSubject<?> load() throws IOException {
        if (batches < 1) {
            throw new UserError("--batches must be at least 1, got " + batches);
        }
        Optional<ScalingModel> sized = scalingModel(model);
        if (sized.isPresent()) {
            return scalingSubject(sized.get());
        }
        return switch (model) {
            case FASHION_CNN -> fashionCnn();
            case LLAMA -> llama();
            case MLP -> SyntheticMlp.subject(batch != null ? batch : 256, batches, seed);
            default -> file(Path.of(model));
        };
    }

    private BenchSubject<?> fashionCnn() throws IOException {
        Path dir = data != null ? data : FashionMnist.DEFAULT_DIRECTORY;
        if (!FashionMnist.isAvailable(dir)) {
            throw new UserError("Fashion-MNIST not found in " + dir + ": run `sudo apt-get install dataset-fashion-mnist`"
                    + " or pass --data DIR with the four IDX files");
        }
        if (cnnCache.toAbsolutePath().getParent() != null) {
            Files.createDirectories(cnnCache.toAbsolutePath().getParent());
        }
        Dl4jWorkload w = new Dl4jWorkload(TrainedFashionCnn.getOrTrain(cnnCache, FashionMnist.at(dir), CNN_SEED, 1), "dl4j");
        return dl4j(FASHION_CNN, w, dir);
    }

    private BenchSubject<?> llama() throws IOException {
        Path checkpoint = llamaDir.resolve("stories260K.bin");
        Path text = data != null ? data : llamaDir.resolve("tinystories_train.txt");
        Path tok = tokenizer != null ? tokenizer : llamaDir.resolve("tok512.bin");
        for (Path p : List.of(checkpoint, text, tok)) {
            if (!Files.isRegularFile(p)) {
                throw new UserError("stories260K benchmark skipped: " + p + " not found; pass --llama-dir DIR holding"
                        + " stories260K.bin, tok512.bin and tinystories_train.txt (llama2.c's tinyllamas)");
            }
        }
        return llamaSubject("stories260K", LlamaWorkload.load(checkpoint, tok), text);
    }

    private BenchSubject<?> file(Path file) throws IOException {
        if (data == null) {
            throw new UserError("Benchmarking the model file " + file + " needs --data (the data you would prune it with)");
        }
        ModelOptions options = new ModelOptions();
        options.model = file.toString();
        options.tokenizer = tokenizer;
        Workload<?> w = options.load();
        String name = file.getFileName().toString();
        if (w instanceof LlamaWorkload llama) {
            return llamaSubject(name, llama, data);
        }
        return dl4j(name, (Dl4jWorkload) w, data);
    }

    private BenchSubject<DataSet> dl4j(String name, Dl4jWorkload w, Path dataPath) throws IOException {
        int size = batch != null ? batch : TrainedFashionCnn.BATCH_SIZE;
        return new Dl4jSubject(name, w.model(), w.trainBatches(dataPath, size * batches, size));
    }

    private BenchSubject<?> llamaSubject(String name, LlamaWorkload w, Path text) throws IOException {
        int size = batch != null ? batch : 8;
        return new LlamaSubject(name, w.graph(), w.trainBatches(text, size * batches, size));
    }
}
