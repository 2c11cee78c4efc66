package org.maskpro4j.examples.llama;

import java.nio.file.Files;
import java.nio.file.Path;

import org.maskpro4j.testing.RequiredData;

/**
 * Locates the shared llama2.c files. Tests skip with a visible reason when they are absent (fail in CI, see
 * {@link RequiredData}); classes that load the
 * model once check {@link #present()} in {@code @BeforeAll} and {@link #assume()} per test, because surefire
 * reports a class aborted in {@code @BeforeAll} as zero tests, without the reason.
 */
final class LlamaTestData {
    private LlamaTestData() {
    }

    private static Path dir() {
        return RequiredData.sharedDirectory().resolve("llama2c");
    }

    static boolean present() {
        Path dir = dir();
        return Files.isRegularFile(dir.resolve("stories260K.bin")) && Files.isRegularFile(dir.resolve("tok512.bin"))
                && Files.isRegularFile(dir.resolve("tinystories_valid.txt"))
                && Files.isRegularFile(dir.resolve("tinystories_train.txt"));
    }

    static void assume() {
        RequiredData.require(present(), "the stories260K model, its tokenizer and TinyStories splits in "
                + dir().toAbsolutePath() + " (set -D" + RequiredData.SHARED_PROPERTY + ")");
    }

    static Path model() {
        assume();
        return dir().resolve("stories260K.bin");
    }

    static Path tokenizer() {
        assume();
        return dir().resolve("tok512.bin");
    }

    static Path valid() {
        assume();
        return dir().resolve("tinystories_valid.txt");
    }

    static Path train() {
        assume();
        return dir().resolve("tinystories_train.txt");
    }
}
