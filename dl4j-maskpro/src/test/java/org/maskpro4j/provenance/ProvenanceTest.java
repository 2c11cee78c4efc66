package org.maskpro4j.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.export.MaskFile;
import org.maskpro4j.maskpro.MaskProCheckpoint;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.OneShotOptions;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.nm.MaskCode;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Provenance: data fingerprints, the mask file and checkpoint records, and files written before provenance existed. */
class ProvenanceTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private record Batch(INDArray tokens, INDArray targets) {
    }

    @Test
    void theDataFingerprintDependsOnEveryValueShapeAndTypeAndNothingElse() {
        List<DataSet> a = SmallMlp.data(3, 2, 8);
        List<DataSet> same = SmallMlp.data(3, 2, 8);
        assertTrue(DataFingerprint.of(a).matches("sha256:[0-9a-f]{64}"), DataFingerprint.of(a));
        assertEquals(DataFingerprint.of(a), DataFingerprint.of(same), "equal data in other arrays");
        same.get(1).getFeatures().putScalar(3, 5, same.get(1).getFeatures().getFloat(3, 5) + 1e-3f);
        assertNotEquals(DataFingerprint.of(a), DataFingerprint.of(same), "one value changed");

        INDArray x = Nd4j.arange(12).castTo(DataType.INT).reshape(3, 4);
        assertNotEquals(DataFingerprint.of(List.of(x)), DataFingerprint.of(List.of(x.reshape(4, 3))), "shape counts");
        assertNotEquals(DataFingerprint.of(List.of(x)), DataFingerprint.of(List.of(x.castTo(DataType.LONG))), "type counts");
        assertEquals(DataFingerprint.of(List.of(x.transpose().dup('f').transpose())), DataFingerprint.of(List.of(x)),
                "memory order does not count");
        assertEquals(DataFingerprint.of(List.of(new Batch(x, x))), DataFingerprint.of(List.of(new Batch(x.dup(), x.dup()))),
                "records of arrays (a LLaMA batch)");
        assertEquals(DataFingerprint.of(List.of(Map.of("a", x, "b", x.add(1)))),
                DataFingerprint.of(List.of(Map.of("b", x.add(1), "a", x))), "maps by key (SameDiff placeholders)");
        assertTrue(DataFingerprint.of(List.of(new Object())).startsWith("unknown: java.lang.Object"));
    }

    @Test
    void aPipelineRecordsItsProvenanceInTheMaskFileAndTheCheckpoint(@TempDir Path dir) throws IOException {
        List<DataSet> train = SmallMlp.data(3, 4, 32);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(SmallMlp.trainedMlp(7), P24, WeightSelection.all());
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(6).seed(21).logEvery(3).checkpointEvery(3).build();
        Path checkpoint = dir.resolve("run.ckpt");
        PipelineResult run = MaskPipeline.builder()
                .method(MaskMethods.create("maskpro", MethodSettings.builder(config).checkpoint(checkpoint).build()))
                .prior(MaskMethods.prior("wanda", OneShotOptions.DEFAULTS)).build().run(model, train, null);
        Provenance p = run.provenance();
        assertEquals("maskpro", p.method());
        assertEquals(MaskProConfig.CODEC.toMap(config), p.settings());
        assertEquals("wanda", p.prior());
        assertEquals(DataFingerprint.of(train), p.data());
        assertEquals(21L, p.seed());
        assertEquals(List.of("prior", "mask", "verify"), p.stages());
        assertTrue(p.maskpro4j().matches("\\d+\\.\\d+\\.\\d+.*") && p.dl4j().startsWith("1.0.0"), p.toString());

        Path file = dir.resolve("masks.nmmask");
        MaskFile.write(file, P24, run.masks(), p);
        MaskFile.Contents back = MaskFile.read(file);
        assertEquals(p, back.provenance());
        assertEquals(run.masks(), back.masks());

        MaskProCheckpoint.Snapshot snap = MaskProCheckpoint.load(checkpoint);
        assertEquals("maskpro", snap.provenance().method());
        assertEquals(DataFingerprint.of(train), snap.provenance().data());
        assertTrue(snap.provenance().prior().startsWith("prior mask sha256:"), snap.provenance().prior());
        assertEquals(MaskProConfig.CODEC.toMap(config), snap.provenance().settings());
    }

    @Test
    void filesWrittenBeforeProvenanceStillLoadAndUnknownFormatsAreRefused(@TempDir Path dir) throws IOException {
        INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 0, 0}, {0, 1, 0, 1}});
        Path old = dir.resolve("old.nmmask");
        writeManifestOnly(old, "maskpro4j-nm-mask-1", mask);
        MaskFile.Contents contents = MaskFile.read(old);
        assertNull(contents.provenance());
        assertEquals(mask, contents.masks().get("dense/W").castTo(DataType.FLOAT));

        Path future = dir.resolve("future.nmmask");
        writeManifestOnly(future, "maskpro4j-nm-mask-9", mask);
        IOException e = assertThrows(IOException.class, () -> MaskFile.read(future));
        assertTrue(e.getMessage().contains("format \"maskpro4j-nm-mask-9\"") && e.getMessage().contains("maskpro4j-nm-mask-1"),
                e.getMessage());

        // a checkpoint without a provenance entry (as written before) loads, and resuming from it works
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(SmallMlp.trainedMlp(7), P24, WeightSelection.all());
        List<DataSet> train = SmallMlp.data(3, 4, 32);
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(4).logEvery(2).build();
        Path ckpt = dir.resolve("old.ckpt");
        new MaskProLearner(config, ckpt).learn(model, train, new MagnitudePrior().masks(model, train));
        stripEntry(ckpt, "provenance.properties");
        assertNull(MaskProCheckpoint.load(ckpt).provenance());
        assertEquals(6, new MaskProLearner(config.toBuilder().steps(6).build(), ckpt).learn(model, train, null).steps());
        assertEquals(DataFingerprint.of(train), MaskProCheckpoint.load(ckpt).provenance().data(), "recorded from now on");
    }

    private static void writeManifestOnly(Path file, String format, INDArray mask) throws IOException {
        String manifest = "format=" + format + "\npattern=2:4\nweights=1\nweight.0.name=dense/W\nweight.0.groups=2\n";
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("mask-0.bin"));
            zip.write(MaskCode.encode(mask, P24));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("manifest.properties"));
            zip.write(manifest.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    private static void stripEntry(Path zipFile, String entry) throws IOException {
        Path tmp = zipFile.resolveSibling("stripped.zip");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zipFile));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.getName().equals(entry)) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        }
        Files.move(tmp, zipFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
