package org.maskpro4j.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place tests ask for data that lives outside the checkout: the shared llama2.c / Keras files in
 * {@code ../shared/data} and the Fashion-MNIST Debian package. Locally a test without its data skips with a visible
 * reason; in CI (environment {@code CI=true}, or {@code -Dmaskpro.requireData=true}) it fails instead, so a missing
 * download cannot turn the LLaMA, Keras and Fashion paths into silently skipped tests.
 */
public final class RequiredData {
    /** System property that makes missing data a failure (also set by the environment variable {@code CI=true}). */
    public static final String REQUIRE_PROPERTY = "maskpro.requireData";
    /** System property naming the shared data directory; surefire sets it to {@code ../shared/data}. */
    public static final String SHARED_PROPERTY = "maskpro.shared.data";

    private RequiredData() {
    }

    /** Whether missing data fails the test run instead of skipping. */
    public static boolean required() {
        return Boolean.parseBoolean(System.getProperty(REQUIRE_PROPERTY, "false"))
                || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Skips the calling test (or fails it, when {@link #required()}) unless {@code present}.
     *
     * @param what the data and how to get it, e.g. "Fashion-MNIST in /usr/share/… (apt-get install …)"
     */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (required()) {
            fail("Missing test data: " + what + ". CI requires it (" + REQUIRE_PROPERTY + "=true or CI=true)");
        }
        assumeTrue(false, "Missing test data: " + what + ": skipped");
    }

    /** The shared data directory (not checked). */
    public static Path sharedDirectory() {
        return Path.of(System.getProperty(SHARED_PROPERTY, "../shared/data"));
    }

    /** A file or directory under the shared data directory; skips or fails as {@link #require} when absent. */
    public static Path shared(String relative) {
        Path file = sharedDirectory().resolve(relative);
        require(Files.exists(file), "shared data " + file.toAbsolutePath() + " (set -D" + SHARED_PROPERTY + ")");
        return file;
    }
}
