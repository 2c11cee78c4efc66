package org.maskpro4j.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Runs a measurement in a fresh child JVM on this JVM's class path and reads back its result: one JSON object at
 * the end of the child's stdout, starting at the start of a line (libraries may log to stdout before it). The
 * child's stderr goes to a temporary log whose end is shown when the child fails. The bench forks where what ran before in its own JVM would change the
 * reading: a memory peak, or how C2 compiled a kernel.
 */
final class ChildJvm {
    private static final int ERROR_TAIL_CHARS = 2000;

    private ChildJvm() {
    }

    /**
     * @param what names the measurement in error messages
     */
    static Map<String, Object> run(String what, List<String> jvmOptions, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(arguments);
        Path log = null;
        try {
            log = Files.createTempFile("maskpro-bench-child", ".log");
            Process child = new ProcessBuilder(command).redirectError(log.toFile()).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int exit = child.waitFor();
            // the result starts on a line of its own, at the line's start even when pretty-printed
            int start = out.lastIndexOf("\n{") + 1;
            if (exit != 0 || !out.startsWith("{", start)) {
                throw new IllegalStateException(what + " in a child JVM exited with code " + exit
                        + " without a JSON result; its log ends with:\n" + tail(Files.readString(log)));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> json = new ObjectMapper().readValue(out.substring(start), Map.class);
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + what + " in a child JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + what + " in a child JVM", e);
        } finally {
            deleteQuietly(log);
        }
    }

    private static String tail(String text) {
        return text.length() <= ERROR_TAIL_CHARS ? text : text.substring(text.length() - ERROR_TAIL_CHARS);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover log in the temp directory is harmless
            }
        }
    }
}
