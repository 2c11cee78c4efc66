package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.MethodSettings;

import picocli.CommandLine;

/** {@code prune --config}: the file gives the defaults through picocli, the command line wins, bad files are refused. */
class ConfigFileTest {

    private static PruneCommand parse(String... args) {
        CommandLine cli = new CommandLine(new Maskpro());
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return (PruneCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void theFileGivesDefaultsAndTheCommandLineWins(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("best.properties");
        Files.writeString(file, "pattern=4:8\nlearningRate=123.5\nsmoothing=0.9\nlogitMagnitude=4.0\nsamplesPerStep=3\n"
                + "steps=40\nseed=7\nlogEvery=2\ncheckpointEvery=0\nprior=magnitude\nexamples=300\nmethod=maskllm\n"
                + "maskllm.tauEnd=0.25\noneshot.calibration=matrix\n");
        PruneCommand prune = parse("prune", "--model", "m.zip", "--data", "d", "--out", "o.zip", "--config", file.toString(),
                "--steps", "9", "--prior", "wanda");
        assertEquals("4:8", prune.pattern);
        assertEquals(123.5, prune.lr, 0.0);
        assertEquals(0.9, prune.alpha, 0.0);
        assertEquals(4.0, prune.logits, 0.0);
        assertEquals(3, prune.samples);
        assertEquals(7, prune.seed);
        assertEquals("maskllm", prune.method);
        assertEquals(300, prune.dataOptions.examples);
        assertEquals(9, prune.steps, "the command line wins");
        assertEquals("wanda", prune.prior, "the command line wins");

        MaskProConfig options = MaskProConfig.builder().pattern(prune.pattern).steps(prune.steps).learningRate(prune.lr)
                .build();
        MethodSettings settings = ConfigFile.settings(file, options.toProperties());
        assertEquals(options.toProperties(), settings.maskPro().toProperties(), "MaskPro settings are the options'");
        assertEquals(0.25, settings.maskLlm().tauEnd(), 0.0, "settings no option covers come from the file");
        assertEquals(9, settings.maskLlm().steps(), "MaskLLM follows the options' step count");
        assertEquals(false, settings.oneShot().blockwise());

        PruneCommand plain = parse("prune", "--model", "m.zip", "--data", "d", "--out", "o.zip");
        assertNull(plain.lr, "without a file MaskProConfig's own defaults hold (no option value)");
        assertNull(plain.update);
        assertEquals("maskpro", plain.method);
    }

    @Test
    void anUnknownKeyOrABadValueEndsWithOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "pattern=2:4\nlearningrate=100\n");
        String message = CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--config", file.toString(), "--out", dir.resolve("o.zip").toString())
                .assertUserError();
        assertTrue(message.contains("--config " + file) && message.contains("unknown key 'learningrate'")
                && message.contains("learningRate"), message);

        Files.writeString(file, "pattern=2:4\nsmoothing=often\n");
        message = CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data",
                CliTestData.FASHION.toString(), "--config", file.toString(), "--out", dir.resolve("o.zip").toString())
                .assertUserError();
        assertTrue(message.contains("--config " + file) && message.contains("smoothing=often is not a number"), message);
        assertTrue(Files.notExists(dir.resolve("o.zip")));
    }
}
