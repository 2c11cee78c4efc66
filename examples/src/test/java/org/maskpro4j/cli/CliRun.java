package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * One in-process run of {@link Maskpro#run}: its exit code, what {@link Json} printed (the real stdout of
 * {@code main}) and everything written to {@code System.err}, SLF4J logs included.
 */
record CliRun(String[] args, int exitCode, String stdout, String stderr) {
    /** slf4j-simple's default layout: "[thread] LEVEL logger - message". */
    private static final Pattern LOG_LINE = Pattern.compile("^\\[[^\\]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - .*");
    /** Strict: trailing text after the object is an error, so "exactly one JSON object" is what passes. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream realErr = System.err;
        Json.bindStdout(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Maskpro.run(args);
        } finally {
            System.setErr(realErr);
            Json.bindStdout(System.out);
        }
        return new CliRun(args, code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Stdout parsed as exactly one JSON object. */
    Map<String, Object> json() {
        return parseOneObject(stdout, this);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseOneObject(String text, Object context) {
        try {
            return STRICT.readValue(text, Map.class);
        } catch (Exception e) {
            return fail("stdout is not exactly one JSON object (" + e.getMessage() + "); " + context);
        }
    }

    CliRun assertExit(int expected) {
        assertEquals(expected, exitCode, () -> "exit code of " + this);
        return this;
    }

    /** Exit 2, one line "maskpro: ..." besides the logs, no stack trace, nothing on stdout. */
    String assertUserError() {
        assertExit(Maskpro.USER_ERROR);
        List<String> lines = stderr.lines().filter(l -> !l.isBlank() && !LOG_LINE.matcher(l).matches()).toList();
        assertEquals(1, lines.size(), () -> "stderr besides logs must be one line: " + lines + "; " + this);
        assertTrue(lines.get(0).startsWith("maskpro: "), () -> "message prefix: " + lines.get(0));
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), () -> "stack trace in " + this);
        assertEquals("", stdout.strip(), () -> "stdout of a failed command: " + this);
        return lines.get(0);
    }

    @Override
    public String toString() {
        String tail = stderr.length() > 4000 ? "..." + stderr.substring(stderr.length() - 4000) : stderr;
        return "maskpro " + String.join(" ", args) + " -> exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + tail;
    }
}
