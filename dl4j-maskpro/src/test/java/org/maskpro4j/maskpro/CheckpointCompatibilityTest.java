package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.policy;
import static org.maskpro4j.maskpro.MaskPolicySampleTest.withProperty;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
 * jar. Regenerate only on purpose, for a new fixture version: {@code -Dmaskpro.regenerateGolden=true}.
 */
class CheckpointCompatibilityTest {
    /** Not a multiple of the codec's 16-group lanes, so the scalar tail is in the file too. */
    private static final int GROUPS = 250;
    private static final int STEPS = 3;

    private static String base(String pattern) {
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
        NmPattern pattern = NmPattern.parse(text);
        MaskProCheckpoint.Snapshot snap;
        try (InputStream in = resource(base(text) + ".ckpt")) {
            snap = MaskProCheckpoint.read(in, base(text));
        }
        assertEquals(STEPS, snap.step());
        assertEquals(STEPS, snap.history().size());
        MaskPolicy policy = withProperty(MaskPolicy.LOGITS_PROPERTY, "byte",
                () -> snap.bind(List.of(weight(pattern)), config(pattern))).policy();
        INDArray expected;
        try (DataInputStream in = new DataInputStream(resource(base(text) + "-expected.nd4j"))) {
            expected = Nd4j.read(in);
        }
        INDArray actual = logitsAndMode(policy);
        // exact floats: INDArray.equals would allow 1e-5, more than a level's rounding
        assertArrayEquals(expected.getRow(0).toFloatVector(), actual.getRow(0).toFloatVector(), "decoded logits");
        assertArrayEquals(expected.getRow(1).toFloatVector(), actual.getRow(1).toFloatVector(), "final mask");
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
