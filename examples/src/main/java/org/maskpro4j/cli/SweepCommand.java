package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.spark.api.java.JavaSparkContext;
import org.maskpro4j.arbiter.MaskProSpace;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.arbiter.MaskProSweep;
import org.maskpro4j.arbiter.SweepRecord;
import org.maskpro4j.arbiter.SweepTarget;
import org.maskpro4j.arbiter.SweepResult;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.spark.SparkSweep;
import org.maskpro4j.spark.SweepTargetFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskpro sweep}: Arbiter random (or grid) search over MaskPro's hyperparameters on the user's model and data.
 * Every candidate learns from the same prior and is scored on its final top-N mask; the best configuration is
 * written as a properties file that {@code maskpro prune --config} reads.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Search MaskPro's learning rate, smoothing, logit magnitude and sample counts with Arbiter.",
        footer = "Axes: MIN:MAX is a range (log-uniform for --lr), A,B,C a choice, A a fixed value.")
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    SelectionOptions selectionOptions;

    @Option(names = "--pattern", defaultValue = "2:4", description = "N:M pattern, or a choice such as 2:4,4:8 (default ${DEFAULT-VALUE})")
    String pattern;
    @Option(names = "--candidates", defaultValue = "8", description = "Candidates to run; with --grid at most this many (default ${DEFAULT-VALUE})")
    int candidates;
    @Option(names = "--grid", description = "Grid search instead of random search")
    boolean grid;
    @Option(names = "--grid-points", defaultValue = "3", description = "With --grid: values per continuous axis (default ${DEFAULT-VALUE})")
    int gridPoints;
    @Option(names = "--update", defaultValue = "raw", description = "Update rule of every candidate: raw (η in loss"
            + " units, the unit of the usual ranges) or normalized (η in logit units) (default ${DEFAULT-VALUE})")
    String update;
    @Option(names = "--lr", defaultValue = "1:300", description = "η, log-uniform over a range (default ${DEFAULT-VALUE})")
    String lr;
    @Option(names = "--alpha", defaultValue = "0.9:0.999", description = "Smoothing α of the tracker δ (default ${DEFAULT-VALUE})")
    String alpha;
    @Option(names = "--logits", defaultValue = "3:10", description = "Initial logit magnitude C (default ${DEFAULT-VALUE})")
    String logits;
    @Option(names = "--samples", defaultValue = "1,2,4", description = "Masks sampled per step K (default ${DEFAULT-VALUE})")
    String samples;
    @Option(names = "--steps", defaultValue = "1000", description = "MaskPro steps per candidate (default ${DEFAULT-VALUE})")
    String steps;
    @Option(names = "--prior", defaultValue = "magnitude,wanda", completionCandidates = MethodNames.Priors.class,
            description = "Priors to choose among, some of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    String prior;
    @Option(names = "--score", description = "What the sweep minimises on the held-out data: loss, error (1 - accuracy)"
            + " or perplexity (default: perplexity for language models, else loss)")
    String score;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the search and of every MaskPro run (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "maskpro-sweep", description = "Directory for sweep.json, sweep.csv,"
            + " sweep.html and best-maskpro.properties (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;
    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the candidates as Spark tasks: local[N]"
            + " embedded, or a cluster's master URL (model and data paths must be readable by the executors)")
    String spark;

    @Spec
    CommandSpec spec;

    private UpdateRule updateRule() {
        try {
            return UpdateRule.parse(update);
        } catch (IllegalArgumentException e) {
            throw new UserError("--update: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        new CommandFiles().model(modelOptions).data(dataOptions).outputDirectory("--out", out).check();
        if (candidates < 1 || gridPoints < 2) {
            throw new UserError("--candidates must be at least 1 and --grid-points at least 2, got " + candidates
                    + " and " + gridPoints);
        }
        MaskProSpace space = space();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("--out " + out + " is a file; give a directory for the sweep results");
        }
        Workload<?> workload = modelOptions.load();
        Map<String, Object> result = sweep(workload, space);
        if (json) {
            Json.print(result);
        }
        return 0;
    }

    /** Every axis is parsed before the model loads, so a typo costs nothing. */
    private MaskProSpace space() {
        return MaskProSpace.builder()
                .updateRule(updateRule())
                .learningRate(SpaceArgs.decimals("--lr", lr, true))
                .smoothing(SpaceArgs.decimals("--alpha", alpha, false))
                .logitMagnitude(SpaceArgs.decimals("--logits", logits, false))
                .samplesPerStep(SpaceArgs.integers("--samples", samples))
                .steps(SpaceArgs.integers("--steps", steps))
                .examples(dataOptions.examples)
                .prior(SpaceArgs.names("--prior", prior, MaskMethods::requirePrior))
                .pattern(SpaceArgs.names("--pattern", pattern, NmPattern::parse))
                .seed(seed)
                .build();
    }

    private <B> Map<String, Object> sweep(Workload<B> workload, MaskProSpace space) throws IOException {
        WorkloadSweepTarget<B> target = target(workload);
        MaskProSweep sweep = MaskProSweep.builder().space(space).candidates(candidates).seed(seed).grid(grid)
                .gridPoints(gridPoints).build();
        SweepResult result;
        if (spark == null) {
            result = sweep.run(target);
        } else {
            try (JavaSparkContext context = SparkLearning.start(spark)) {
                String[] args = spec.commandLine().getParseResult().originalArgs().toArray(String[]::new);
                result = sweep.run(target.scoreName(), SparkSweep.runner(context, new ExecutorTarget<>(args)));
            }
        }
        result.writeAll(out);
        if (!json) {
            printTable(result, target.dense());
        }
        Map<String, Object> root = new LinkedHashMap<>(Json.parse(result.toJson()));
        root.put("dense", target.dense());
        root.put("out", out.toString());
        if (result.best().isPresent()) {
            root.put("bestConfig", out.resolve("best-maskpro.properties").toString());
        }
        return root;
    }

    private <B> WorkloadSweepTarget<B> target(Workload<B> workload) throws IOException {
        return new WorkloadSweepTarget<>(workload, selectionOptions.selection(), dataOptions,
                score == null ? null : score.toLowerCase(Locale.ROOT));
    }

    /** The sweep's target rebuilt on an executor from the same command line, so it loads the same model and data. */
    private record ExecutorTarget<B>(String[] args) implements SweepTargetFactory<B> {
        @Override
        @SuppressWarnings("unchecked")
        public SweepTarget<B> create() throws IOException {
            CommandLine.ParseResult parsed = new CommandLine(new Maskpro()).parseArgs(args);
            SweepCommand command = (SweepCommand) parsed.subcommand().commandSpec().userObject();
            return command.target((Workload<B>) command.modelOptions.load());
        }
    }

    private void printTable(SweepResult result, Map<String, Object> dense) {
        Json.println("MaskPro sweep (" + result.search() + "): " + result.scoreName() + ", dense " + dense);
        for (SweepRecord r : result.records()) {
            Json.println(String.format(Locale.ROOT, "  #%-3d %-6s %12s  prior %12s  %s%s", r.index(), r.status(),
                    number(r.score()), number(r.priorScore()), r.params(), r.ok() ? "" : "  " + r.reason()));
        }
        Json.println(result.best().map(b -> "best #" + b.index() + ": " + number(b.score()) + "; config "
                + out.resolve("best-maskpro.properties") + " (maskpro prune --config FILE ...)")
                .orElse("every candidate failed; reasons in " + out.resolve("sweep.csv")));
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.5f", v) : "-";
    }
}
