package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.HeldOut;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.method.PriorSelection;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.GivenPrior;
import org.maskpro4j.prior.MaskPrior;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.dataset.DataSet;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskpro demo}: the README's main job. Trains a CNN on real Fashion-MNIST (Debian's
 * dataset-fashion-mnist), prunes it 2:4 with magnitude, Wanda, SparseGPT and MaskPro, prints the comparison and
 * writes the report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Train a Fashion-MNIST CNN and compare N:M pruners on it.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Fashion-MNIST IDX directory (default ${DEFAULT-VALUE})")
    Path data = FashionMnist.DEFAULT_DIRECTORY;
    @Option(names = "--work", defaultValue = "maskpro-demo", description = "Directory for the trained model and the report (default ${DEFAULT-VALUE})")
    Path work;
    @Option(names = "--pattern", defaultValue = "2:4")
    String pattern;
    @Option(names = "--steps", defaultValue = "150", description = "MaskPro steps (default ${DEFAULT-VALUE})")
    long steps;
    // MaskPro's own defaults unless given: its normalized update needs no tuning for this CNN
    @Option(names = "--lr", description = "MaskPro η (default MaskProConfig's: 4·C/√steps with the normalized update)")
    Double lr;
    @Option(names = "--logits", description = "MaskPro C (default " + MaskProConfig.DEFAULT_LOGIT_MAGNITUDE + ")")
    Double logits;
    @Option(names = "--samples", description = "MaskPro masks per step K (default " + MaskProConfig.DEFAULT_SAMPLES + ")")
    Integer samples;
    @Option(names = "--examples", defaultValue = "1024", description = "Training examples MaskPro and the calibrations see")
    int examples;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (!FashionMnist.isAvailable(data)) {
            throw new UserError("Fashion-MNIST not found in " + data + ": run `sudo apt-get install dataset-fashion-mnist`"
                    + " or pass --data DIR with the four IDX files");
        }
        NmPattern nm = NmPattern.parse(pattern);
        Files.createDirectories(work);
        MultiLayerNetwork net = TrainedFashionCnn.getOrTrain(work.resolve("fashion-cnn-seed" + seed + ".zip"),
                FashionMnist.at(data), seed, 1);
        Dl4jWorkload workload = new Dl4jWorkload(net, "dl4j");
        List<DataSet> train = workload.trainBatches(data, examples, 64);
        List<DataSet> test = workload.evalBatches(data, null, 10_000, 500);
        MaskableModel<DataSet> model = workload.maskable(nm, WeightSelection.all());
        Map<String, Object> dense = workload.evaluate(test);
        MaskProConfig.Builder maskPro = MaskProConfig.builder().pattern(nm).steps(steps).seed(seed)
                .logEvery((int) Math.max(1, steps / 10));
        if (logits != null) maskPro.logitMagnitude(logits);
        if (samples != null) maskPro.samplesPerStep(samples);
        if (lr != null) maskPro.learningRate(lr);
        MaskProConfig config = maskPro.build();
        MethodSettings settings = MethodSettings.builder(config).build();
        HeldOut heldOut = () -> workload.evaluate(test);
        List<Report.Row> rows = new ArrayList<>();
        List<MaskPrior> priors = new ArrayList<>();
        for (String method : List.of("magnitude", "wanda", "sparsegpt-mask", "sparsegpt")) {
            PipelineResult run = MaskPipeline.builder().method(MaskMethods.create(method, settings)).build()
                    .run(model, train, heldOut);
            rows.add(new Report.Row(MethodRun.of(method, run), run.heldOut()));
            if (!run.mask().weightsUpdated()) {
                priors.add(new GivenPrior(method, run.masks()));
            }
        }
        // the best frozen-weight mask on the training data is MaskPro's prior, so the held-out comparison stays fair
        PipelineResult maskpro = MaskPipeline.builder().method(MaskMethods.create(MaskMethods.MASKPRO, settings))
                .priors(priors).priorSelection(PriorSelection.TRAINING_LOSS).build().run(model, train, heldOut);
        rows.add(new Report.Row(MethodRun.of("maskpro (" + maskpro.prior().name() + " prior)", maskpro), maskpro.heldOut()));
        NmVerifier.Report verified = maskpro.verified();
        Path index = Report.write(work.resolve("report"), nm, rows, dense, verified);
        print(nm, dense, rows, index, verified.strict());
        return 0;
    }

    private void print(NmPattern nm, Map<String, Object> dense, List<Report.Row> rows, Path index, boolean strict) {
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("pattern", nm.toString());
            out.put("dense", dense);
            Map<String, Object> methods = new LinkedHashMap<>();
            rows.forEach(r -> methods.put(r.run().method(), r.metrics()));
            out.put("methods", methods);
            out.put("strict", strict);
            out.put("report", index.toString());
            Json.print(out);
            return;
        }
        Json.println(String.format("Fashion-MNIST CNN, %s, held-out test set (10,000 images)", nm));
        Json.println(String.format("%-34s %8s %9s %8s", "method", "loss", "accuracy", "seconds"));
        Json.println(String.format("%-34s %8.4f %8.2f%% %8s", "dense", dense.get("loss"), 100 * (double) dense.get("accuracy"), "-"));
        for (Report.Row r : rows) {
            Json.println(String.format("%-34s %8.4f %8.2f%% %8.1f", r.run().method(), r.metrics().get("loss"),
                    100 * (double) r.metrics().get("accuracy"), r.run().seconds()));
        }
        Json.println("every pruned layer strictly " + nm + ": " + strict);
        Json.println("report: " + index.toAbsolutePath());
    }
}
