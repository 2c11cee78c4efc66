package org.maskpro4j.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import org.junit.jupiter.api.Test;

/**
 * No two org.maskpro4j packages depend on each other, directly or through others: {@code jdeps} reads the compiled
 * main classes of every module (as they sit on this test's class path) and the package graph must have no cycle.
 */
class PackageCyclesTest {
    private static final List<String> MODULES = List.of("samediff-ops", "dl4j-maskpro", "arbiter-search", "examples");
    private static final Pattern EDGE = Pattern.compile("^\\s+(org\\.maskpro4j[\\w.]*)\\s+->\\s+(org\\.maskpro4j[\\w.]*)\\b");

    /** The main classes of each module: its target/classes directory or its jar, never test classes. */
    private static List<String> mainClassEntries() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace(File.separatorChar, '/');
            boolean main = path.endsWith("/target/classes") || (path.endsWith(".jar") && !path.endsWith("-tests.jar"));
            // in the reactor a module's classes or jar; from a local repository its jar under org/maskpro4j/MODULE/
            if (main && MODULES.stream().anyMatch(m -> path.contains("/" + m + "/target/")
                    || path.contains("/org/maskpro4j/" + m + "/"))) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /** package → packages it uses, from {@code jdeps -verbose:package}. */
    static Map<String, Set<String>> packageGraph(List<String> entries) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException(
                "jdeps is not available in this JDK (" + System.getProperty("java.home") + ")"));
        List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "-e", "org\\.maskpro4j(\\..*)?"));
        args.addAll(entries);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(new String[0]));
        assertEquals(0, rc, "jdeps failed: " + err);
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return graph;
    }

    /** The strongly connected components with more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, out);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    @Test
    void testPackages_HaveNoCycle() {
        List<String> entries = mainClassEntries();
        assertEquals(MODULES.size(), entries.size(), "one main-class entry per module on the class path: " + entries);
        Map<String, Set<String>> graph = packageGraph(entries);
        assertTrue(graph.containsKey("org.maskpro4j.layers") && graph.get("org.maskpro4j.layers")
                .contains("org.maskpro4j.weights"), "jdeps output was read: " + graph);
        List<Set<String>> cycles = cycles(graph);
        StringBuilder edges = new StringBuilder();
        for (Set<String> c : cycles) {
            for (String p : c) {
                edges.append("\n  ").append(p).append(" -> ").append(graph.get(p).stream().filter(c::contains).toList());
            }
        }
        assertTrue(cycles.isEmpty(), "package cycles " + cycles + ":" + edges);
    }

    @Test
    void testCycles_FindsATwoAndAThreePackageCycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("a", "c"), "c", Set.of("d"),
                "d", Set.of("e"), "e", Set.of("c"), "f", Set.of("a"));
        assertEquals(Set.of(Set.of("a", "b"), Set.of("c", "d", "e")), Set.copyOf(cycles(graph)));
    }
}
