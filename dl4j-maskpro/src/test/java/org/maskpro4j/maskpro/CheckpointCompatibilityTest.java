package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.policy;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.withProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads MaskPro checkpoints written by the 0.1.0 line (one-byte logits, the default) and checks that the restored
 * policy holds the logits and final mask it held when it wrote them. A change to the checkpoint's entries, to
 * {@link Logit8}'s levels or to how a code's bytes are laid out fails here, so a long run can always resume on a newer
 * jar. Two generations: checkpoints on the current log-linear levels restore exactly; those written before session 10,
 * on the exponential levels, restore each logit to one of the two current levels around it. Regenerate only on
 * purpose, for a new fixture version: {@code -Dmaskpro.regenerateGolden=true} (writes the current generation).
 */
class CheckpointCompatibilityTest {
    /** Not a multiple of the codec's 16-group lanes, so the scalar tail is in the file too. */
    private static final int GROUPS = 250;
    private static final int STEPS = 3;
    /** The current levels' widest step, between levels 254 and 255. */
    private static final float COARSEST_STEP = 0.5f;

    /** Checkpoints on the current levels ({@link Logit8#LEVELS}). */
    private static String base(String pattern) {
        return "maskpro-0.1.0-log-linear-checkpoint-" + pattern.replace(":", "of");
    }

    /** Checkpoints written before session 10, on the exponential levels, with no levels marker. */
    private static String exponentialBase(String pattern) {
        return "maskpro-0.1.0-checkpoint-" + pattern.replace(":", "of");
    }

    private static MaskProConfig config(NmPattern pattern) {
        return MaskProConfig.builder().pattern(pattern).samplesPerStep(2).steps(10).seed(5).build();
    }

    private static MaskableWeight weight(NmPattern pattern) {
        INDArray values = Nd4j.ones(DataType.FLOAT, GROUPS, pattern.m());
        return new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, values.shape(), pattern), values);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8"})
    void checkpointWrittenBy010RestoresItsLogitsAndMask(String text) throws IOException {
        Restored r = restore(base(text), NmPattern.parse(text));
        assertEquals(STEPS, r.snap().step());
        assertEquals(STEPS, r.snap().history().size());
        // exact floats: INDArray.equals would allow 1e-5, more than a level's rounding
        assertArrayEquals(r.expected().getRow(0).toFloatVector(), r.actual().getRow(0).toFloatVector(), "decoded logits");
        assertArrayEquals(r.expected().getRow(1).toFloatVector(), r.actual().getRow(1).toFloatVector(), "final mask");
    }

    /** A golden checkpoint as read, the logits and mask it stored, and those of the policy restored from it. */
    private record Restored(MaskProCheckpoint.Snapshot snap, INDArray expected, INDArray actual) {
    }

    private static Restored restore(String name, NmPattern pattern) throws IOException {
        MaskProCheckpoint.Snapshot snap;
        try (InputStream in = resource(name + ".ckpt")) {
            snap = MaskProCheckpoint.read(in, name);
        }
        MaskPolicy policy = withProperty(MaskPolicy.LOGITS_PROPERTY, "byte",
                () -> snap.bind(List.of(weight(pattern)), config(pattern))).policy();
        try (DataInputStream in = new DataInputStream(resource(name + "-expected.nd4j"))) {
            return new Restored(snap, Nd4j.read(in), logitsAndMode(policy));
        }
    }

    /**
     * An old checkpoint's logits lie on the exponential levels: each restores to itself where it is a current level (0,
     * each group's maximum, always) and else to one of the two current levels around it; the final mask is the stored
     * one in every group whose N-th and (N + 1)-th largest stored logits lie more than twice the coarsest current step
     * apart (each moves by less than a step; closer ones may swap by the rounding), which is nearly all.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8"})
    void checkpointOnTheExponentialLevelsRestoresWithinACurrentLevel(String text) throws IOException {
        NmPattern pattern = NmPattern.parse(text);
        Restored r = restore(exponentialBase(text), pattern);
        INDArray expected = r.expected();
        float[] stored = expected.getRow(0).toFloatVector();
        float[] restored = r.actual().getRow(0).toFloatVector();
        float[] storedMask = expected.getRow(1).toFloatVector();
        float[] restoredMask = r.actual().getRow(1).toFloatVector();
        int m = pattern.m();
        int offLevel = 0;
        int decided = 0;
        for (int i = 0; i < stored.length; i++) {
            int c = 0;
            while (c < 255 && Logit8.decode((byte) (c + 1)) >= stored[i]) {
                c++;
            }
            float above = Logit8.decode((byte) c);
            if (above == stored[i]) {
                assertEquals(above, restored[i], "logit " + i + " on a current level");
            } else {
                offLevel++;
                float below = Logit8.decode((byte) (c + 1));
                assertTrue(restored[i] == above || restored[i] == below,
                        "logit " + i + ": " + stored[i] + " restored as " + restored[i] + ", not " + above + " or " + below);
            }
        }
        for (int g = 0; g < GROUPS; g++) {
            float[] sorted = Arrays.copyOfRange(stored, g * m, g * m + m);
            Arrays.sort(sorted);
            float nth = sorted[m - pattern.n()];
            float next = sorted[m - pattern.n() - 1];
            if (nth - next > 2 * COARSEST_STEP) {
                decided++;
                assertArrayEquals(Arrays.copyOfRange(storedMask, g * m, g * m + m),
                        Arrays.copyOfRange(restoredMask, g * m, g * m + m), "mask of group " + g);
            }
        }
        assertTrue(offLevel > stored.length / 2, offLevel + " of " + stored.length + " logits between current levels");
        assertTrue(decided > GROUPS * 9 / 10, decided + " of " + GROUPS + " groups' masks decided by more than a step");
    }

    /**
     * The current checkpoints name their levels; one that names levels this version does not know (a newer line's) is
     * refused with a line that names them, rather than rounded into the wrong ones.
     */
    @Test
    void checkpointNamesItsLevelsAndUnknownLevelsAreRefused() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(resource(base("2:4") + ".ckpt"))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        String marker = MaskProCheckpoint.LOGIT_LEVELS + "=" + Logit8.LEVELS;
        String state = new String(entries.get("state.properties"), StandardCharsets.ISO_8859_1);
        assertTrue(state.contains(marker), state);
        entries.put("state.properties", state.replace(marker, MaskProCheckpoint.LOGIT_LEVELS + "=minifloat-128")
                .getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        IOException refused = assertThrows(IOException.class,
                () -> MaskProCheckpoint.read(new ByteArrayInputStream(bytes.toByteArray()), "future.ckpt"));
        assertTrue(refused.getMessage().contains("future.ckpt") && refused.getMessage().contains("'minifloat-128'"),
                refused.getMessage());
    }

    private static InputStream resource(String name) {
        InputStream in = CheckpointCompatibilityTest.class.getResourceAsStream("/saved/" + name);
        assertNotNull(in, name);
        return in;
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:4", "4:8"})
    @EnabledIfSystemProperty(named = "maskpro.regenerateGolden", matches = "true")
    void regenerate(String text) throws IOException {
        NmPattern pattern = NmPattern.parse(text);
        INDArray prior = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, GROUPS, pattern.m()), pattern, 31).muli(3);
        MaskProStep state = new MaskProStep(config(pattern),
                withProperty(MaskPolicy.LOGITS_PROPERTY, "byte", () -> policy(pattern, prior)));
        List<StepRecord> history = new java.util.ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            INDArray[] masks = state.sampleMasks();
            history.add(state.advance(masks, 1.0, new double[] {1.0 + 0.02 * step, 0.97 - 0.01 * step}).record());
        }
        Path dir = Path.of("src", "test", "resources", "saved");
        Files.createDirectories(dir);
        MaskProCheckpoint.save(dir.resolve(base(text) + ".ckpt"), state, history, null);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(base(text) + "-expected.nd4j")))) {
            Nd4j.write(logitsAndMode(state.policy()), out);
        }
    }

    /** Row 0: the decoded logits; row 1: the final mask, both flattened to FLOAT. */
    private static INDArray logitsAndMode(MaskPolicy policy) {
        return Nd4j.vstack(policy.logits().reshape(1, -1), policy.mode().castTo(DataType.FLOAT).reshape(1, -1));
    }
}
