package org.maskpro4j.cli;

import java.io.PrintStream;
import java.util.Map;

import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * The one JSON object a {@code --json} command prints. Everything else the process writes (logs, SameDiff's own
 * prints) goes to stderr, because {@link Maskpro#main} points {@code System.out} there and keeps the real
 * stdout for this class alone.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static volatile PrintStream stdout = System.out;

    private Json() {
    }

    static void bindStdout(PrintStream out) {
        stdout = out;
    }

    public static String render(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render JSON", e);
        }
    }

    public static void print(Map<String, ?> object) {
        stdout.println(render(object));
        stdout.flush();
    }

    /** Human-readable output (tables) also belongs on stdout. */
    public static void println(String line) {
        stdout.println(line);
        stdout.flush();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String text) {
        try {
            return MAPPER.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a JSON object: " + e.getOriginalMessage(), e);
        }
    }
}
