package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskpro4j.examples.data.DataSetDirectory;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.export.MaskFile;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** {@code prune}, {@code verify}, {@code eval} end to end on the trained Fashion-MNIST CNN and a zoo model. */
@Tag("slow")
class CnnCommandsTest {
    private static final NmPattern TWO_FOUR = NmPattern.of(2, 4);

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    @ParameterizedTest
    @ValueSource(strings = {"magnitude", "wanda", "maskpro"})
    void pruneWritesAStrictModelItsMasksAndAReport(String method, @TempDir Path dir) throws IOException {
        Path model = CliTestData.fashionCnn();
        Path out = dir.resolve("pruned.zip");
        Path report = dir.resolve("report");
        CliRun run = CliRun.of("prune", "--model", model.toString(), "--data", CliTestData.FASHION.toString(),
                "--method", method, "--steps", "20", "--examples", "256", "--eval-examples", "500",
                "--out", out.toString(), "--report", report.toString(), "--json").assertExit(0);

        Map<String, Object> json = run.json();
        assertTrue(json.keySet().containsAll(List.of("method", "pattern", "steps", "out", "seconds", "metrics")), json::toString);
        assertEquals(method, json.get("method"));
        assertEquals("2:4", json.get("pattern"));
        assertEquals(method.equals("maskpro") ? 20 : 0, ((Number) json.get("steps")).intValue());
        assertEquals(out.toString(), json.get("out"));
        Map<?, ?> pruned = (Map<?, ?>) ((Map<?, ?>) json.get("metrics")).get("pruned");
        // every stage is reported; the held-out metrics after the mask stage are the pruned model's
        List<?> stages = (List<?>) json.get("stages");
        assertEquals(method.equals("maskpro") ? List.of("prior", "mask", "verify", "export") : List.of("mask", "verify", "export"),
                stages.stream().map(st -> ((Map<?, ?>) st).get("stage")).toList());
        Map<?, ?> maskStage = (Map<?, ?>) stages.get(stages.size() - 3);
        assertEquals(pruned, maskStage.get("heldOut"));
        assertTrue(((Number) maskStage.get("peakMiB")).doubleValue() > 0 && ((Number) maskStage.get("seconds")).doubleValue() > 0);

        // the file reloads, computes what prune measured, and is strictly 2:4 where the masks say
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(out.toFile(), false);
        MultiLayerNetworkModel view = new MultiLayerNetworkModel(net, TWO_FOUR, WeightSelection.all());
        MaskFile.Contents masks = MaskFile.read(MaskFile.pathFor(out));
        assertEquals(TWO_FOUR, masks.pattern());
        assertEquals(List.of("conv2/W", "dense/W", "output/W"), List.copyOf(masks.masks().keySet()));
        for (MaskableWeight w : view.weights()) {
            INDArray mask = masks.masks().get(w.name());
            assertTrue(Strictness.check(mask, TWO_FOUR).strict(), w.name());
            INDArray nonZero = w.layout().toGroups(w.live()).neq(0).castTo(mask.dataType());
            assertEquals(mask, nonZero, "zero pattern of " + w.name() + " equals its mask");
        }
        Map<String, Object> reEval = CliRun.of("eval", "--model", out.toString(), "--data", CliTestData.FASHION.toString(),
                "--eval-examples", "500", "--json").assertExit(0).json();
        assertEquals(((Number) pruned.get("accuracy")).doubleValue(), ((Number) reEval.get("accuracy")).doubleValue(), 1e-12);
        assertEquals(((Number) pruned.get("loss")).doubleValue(), ((Number) reEval.get("loss")).doubleValue(), 1e-5);

        Map<String, Object> verified = CliRun.of("verify", "--model", out.toString(), "--pattern", "2:4", "--json")
                .assertExit(0).json();
        assertEquals(true, verified.get("strict"));
        assertEquals(3, ((List<?>) verified.get("layers")).size());
        // verify --json prints the provenance prune wrote into the mask file
        assertEquals(MaskFile.pathFor(out).toString(), verified.get("masks"));
        Map<?, ?> provenance = (Map<?, ?>) verified.get("provenance");
        assertEquals(masks.provenance().toMap().toString(), provenance.toString());
        assertEquals(method, provenance.get("method"));
        assertTrue(provenance.get("data").toString().matches("sha256:[0-9a-f]{64}"), provenance::toString);
        assertEquals("1.0.0-M2.1", provenance.get("dl4j"));
        assertTrue(provenance.get("maskpro4j") != null, provenance::toString);
        boolean learner = method.equals("maskpro");
        assertEquals(learner ? List.of("prior", "mask", "verify", "export") : List.of("mask", "verify", "export"),
                provenance.get("stages"));
        assertEquals(learner ? "wanda" : null, provenance.get("prior"));
        assertEquals(learner ? 0 : null, provenance.get("seed"));
        assertEquals(learner ? "20" : null, ((Map<?, ?>) provenance.get("settings")).get("steps"));

        assertTrue(Files.isRegularFile(report.resolve("index.html")));
        assertTrue(Files.size(report.resolve("methods.png")) > 1000, "comparison chart drawn");
        if (method.equals("maskpro")) {
            assertTrue(Files.isRegularFile(report.resolve("maskpro-residual.png")), "learning curve drawn");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("pruned.zip", "pruned.zip.nmmask", "report"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    @Test
    void verifyFindsEveryGroupOfTheDenseModelViolating() {
        CliRun run = CliRun.of("verify", "--model", CliTestData.fashionCnn().toString(), "--pattern", "2:4", "--json")
                .assertExit(1);
        Map<String, Object> json = run.json();
        assertEquals(false, json.get("strict"));
        List<?> layers = (List<?>) json.get("layers");
        assertEquals(3, layers.size());
        for (Object o : layers) {
            Map<?, ?> layer = (Map<?, ?>) o;
            long groups = ((Number) layer.get("groups")).longValue();
            assertTrue(groups > 0);
            assertEquals(groups, ((Number) layer.get("violations")).longValue(), "a dense layer violates in every group: " + layer);
        }
        assertTrue(((List<?>) json.get("skipped")).get(0).toString().startsWith("conv1/W"), "conv1 (fan-in 1) is reported dense");
    }

    @Test
    void evalAgreesWithADirectEvaluationOfTheSameImages() throws IOException {
        Path model = CliTestData.fashionCnn();
        Map<String, Object> json = CliRun.of("eval", "--model", model.toString(), "--data", CliTestData.FASHION.toString(),
                "--eval-examples", "500", "--batch", "100", "--json").assertExit(0).json();

        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
        DataSet test = FashionMnist.at(CliTestData.FASHION).load(FashionMnist.Split.TEST, 500);
        Evaluation eval = new Evaluation();
        eval.eval(test.getLabels(), net.output(test.getFeatures(), false));
        assertEquals(eval.accuracy(), ((Number) json.get("accuracy")).doubleValue(), 1e-12);
        assertEquals(net.score(test, false), ((Number) json.get("loss")).doubleValue(), 1e-4);
        assertTrue(eval.accuracy() > 0.8, "the cached CNN is trained: " + eval.accuracy());
    }

    @Test
    void zooModelPrunesWithRandomWeightsAndAWarningButNotSilently(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");
        DataSetDirectory.save(randomImages(48, 7), data, 32);
        Path out = dir.resolve("lenet.zip");
        CliRun run = CliRun.of("prune", "--model", "zoo:lenet", "--random-weights", "--data", data.toString(),
                "--method", "magnitude", "--eval-examples", "48", "--out", out.toString(), "--json").assertExit(0);
        assertTrue(run.stderr().contains("RANDOM weights"), run::toString);
        assertEquals("magnitude", run.json().get("method"));
        assertEquals(true, CliRun.of("verify", "--model", out.toString(), "--pattern", "2:4", "--json").assertExit(0)
                .json().get("strict"));

        Path refused = dir.resolve("refused.zip");
        String message = CliRun.of("prune", "--model", "zoo:lenet", "--data", data.toString(), "--method", "magnitude",
                "--out", refused.toString()).assertUserError();
        assertTrue(message.contains("--weights") && message.contains("--random-weights"), message);
        assertTrue(Files.notExists(refused));
    }

    /** {@code main} keeps stdout for the JSON object alone: the logs of a whole prune go to stderr. */
    @Test
    void mainPrintsOnlyTheJsonObjectOnStdout(@TempDir Path dir) throws Exception {
        Path model = CliTestData.fashionCnn();
        Path out = dir.resolve("child.zip");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), Maskpro.class.getName(),
                "prune", "--model", model.toString(), "--data", CliTestData.FASHION.toString(), "--method", "magnitude",
                "--examples", "64", "--eval-examples", "200", "--out", out.toString(), "--json"));
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process child = builder.start();
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "child JVM finished");
        String err = Files.readString(stderr);
        assertEquals(0, child.exitValue(), err);
        assertTrue(err.contains("INFO"), "logs go to stderr");
        Map<String, Object> json = CliRun.parseOneObject(Files.readString(stdout), err);
        assertEquals(out.toString(), json.get("out"));
        assertEquals(true, CliRun.of("verify", "--model", out.toString(), "--pattern", "2:4", "--json").assertExit(0)
                .json().get("strict"));
    }

    /** 28x28 one-channel images with uniform pixels and labels, from {@code seed}. */
    static DataSet randomImages(int n, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[n * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        float[][] labels = new float[n][10];
        for (float[] row : labels) {
            row[random.nextInt(10)] = 1;
        }
        return new DataSet(Nd4j.createFromArray(pixels).reshape(n, 1, 28, 28), Nd4j.createFromArray(labels));
    }
}
