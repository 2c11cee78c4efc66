package org.maskpro4j.examples.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.testing.RequiredData;

/**
 * The README's "From Java" block, extracted from README.md, compiled as it is written (imports, then statements) and
 * run in a fresh JVM whose working directory holds what the README's set-up leaves there ({@code maskpro-demo/}), so
 * the README cannot drift from the API.
 */
class ReadmeJavaBlockTest {
    private static final Path README = Path.of("../README.md");

    static String javaBlock(String readme) {
        int section = readme.indexOf("## From Java");
        int start = readme.indexOf("```java\n", section);
        int end = readme.indexOf("```", start + 8);
        if (section < 0 || start < 0 || end < 0) {
            throw new IllegalStateException("README.md has no ```java block under '## From Java'");
        }
        return readme.substring(start + 8, end);
    }

    @Test
    void theFromJavaBlockCompilesAndRuns() throws IOException, InterruptedException {
        RequiredData.require(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIRECTORY), "Fashion-MNIST");
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : javaBlock(Files.readString(README, StandardCharsets.UTF_8)).split("\n")) {
            if (line.startsWith("import ")) {
                imports.add(line);
            } else {
                body.append("        ").append(line).append('\n');
            }
        }
        Path dir = Files.createDirectories(Path.of("target", "readme-java"));
        Path source = dir.resolve("ReadmeJava.java");
        Files.writeString(source, String.join("\n", imports) + "\n\npublic class ReadmeJava {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n");
        String classPath = System.getProperty("java.class.path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-cp", classPath, "-d", dir.toString(), source.toString()),
                "the README's Java block does not compile (source in " + source + ")");

        Path demo = Files.createDirectories(dir.resolve("maskpro-demo"));
        Path cnn = Path.of("target", "fashion-cnn-seed42.zip");
        TrainedFashionCnn.getOrTrain(cnn, 42, 1);
        Files.copy(cnn, demo.resolve("fashion-cnn-seed42.zip"), StandardCopyOption.REPLACE_EXISTING);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-cp",
                classPath + File.pathSeparator + dir.toAbsolutePath(), "ReadmeJava")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the README's Java block did not finish");
        assertEquals(0, p.exitValue(), "the README's Java block failed:\n" + out);
        assertTrue(out.contains("kept the mask of step") && out.contains("strict 2:4: true"), out);
    }
}
