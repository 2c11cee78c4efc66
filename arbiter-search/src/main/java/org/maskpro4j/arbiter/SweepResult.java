package org.maskpro4j.arbiter;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * The outcome of a MaskPro sweep: every candidate in generation order and the best one (lowest score among
 * those that ran). Writes JSON, CSV, the best configuration as a properties file, and an HTML summary.
 */
public final class SweepResult {
    private final String scoreName;
    private final String search;
    private final List<SweepRecord> records;
    private final double seconds;

    /**
     * @param search  how the candidates were chosen, e.g. "random search, 8 candidates, seed 42"
     * @param seconds wall time of the whole sweep
     */
    public SweepResult(String scoreName, String search, List<SweepRecord> records, double seconds) {
        this.scoreName = Objects.requireNonNull(scoreName, "scoreName");
        this.search = Objects.requireNonNull(search, "search");
        List<SweepRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(SweepRecord::index));
        this.records = List.copyOf(sorted);
        this.seconds = seconds;
    }

    public String scoreName() {
        return scoreName;
    }

    public String search() {
        return search;
    }

    public List<SweepRecord> records() {
        return records;
    }

    public double seconds() {
        return seconds;
    }

    /** The lowest score among candidates that ran; the earlier candidate wins a tie. Empty if all failed. */
    public Optional<SweepRecord> best() {
        return records.stream().filter(SweepRecord::ok)
                .min(Comparator.comparingDouble(SweepRecord::score).thenComparingInt(SweepRecord::index));
    }

    public long failedCount() {
        return records.stream().filter(r -> !r.ok()).count();
    }

    /**
     * {@code {"scoreName":…, "search":…, "seconds":…, "candidates":[{"index", "params", "score", "priorScore",
     * "changedFromPrior", "seconds", "status", "reason"}], "best":{…} or null}}; NaN scores are written as null.
     */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("scoreName", scoreName);
        root.put("search", search);
        root.put("seconds", seconds);
        root.put("candidates", records.stream().map(SweepResult::jsonOf).toList());
        root.put("best", best().map(SweepResult::jsonOf).orElse(null));
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write the sweep result as JSON", e);
        }
    }

    private static Map<String, Object> jsonOf(SweepRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", r.index());
        m.put("params", r.params());
        m.put("score", orNull(r.score()));
        m.put("priorScore", orNull(r.priorScore()));
        m.put("changedFromPrior", orNull(r.changedFromPrior()));
        m.put("seconds", r.seconds());
        m.put("status", r.status());
        m.put("reason", r.reason());
        return m;
    }

    private static Double orNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** One row per candidate: index, status, scores, seconds, one column per hyperparameter, reason. */
    public void writeCsv(Path file) throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        records.forEach(r -> keys.addAll(r.params().keySet()));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            List<String> header = new ArrayList<>(List.of("index", "status", "score", "priorScore", "changedFromPrior",
                    "seconds"));
            header.addAll(keys);
            header.add("reason");
            w.write(csvLine(header));
            for (SweepRecord r : records) {
                List<String> row = new ArrayList<>(List.of(Integer.toString(r.index()), r.status(), num(r.score()),
                        num(r.priorScore()), num(r.changedFromPrior()), Double.toString(r.seconds())));
                for (String k : keys) {
                    Object v = r.params().get(k);
                    row.add(v == null ? "" : v.toString());
                }
                row.add(r.reason() == null ? "" : r.reason());
                w.write(csvLine(row));
            }
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "";
    }

    private static String csvLine(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (i > 0) {
                sb.append(',');
            }
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        return sb.append("\r\n").toString();
    }

    /**
     * The best candidate's properties: a MaskPro config ({@link org.maskpro4j.maskpro.MaskProConfig#CODEC}) with the
     * prior and example count added ({@link MaskProCandidate#fromProperties}), as {@code prune --config} reads it.
     *
     * @throws IllegalStateException when every candidate failed
     */
    public void writeBestProperties(Path file) throws IOException {
        SweepRecord best = best().orElseThrow(() -> new IllegalStateException(
                "No candidate of the sweep ran successfully, so there is no best configuration; see the reasons in "
                        + "the JSON or CSV results"));
        MaskProCandidate candidate = best.candidate().orElseThrow();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            candidate.toProperties().store(w, "Best MaskPro configuration of a sweep (" + search + "): " + scoreName
                    + " " + best.score() + ", prior " + best.priorScore());
        }
    }

    /**
     * Writes {@code sweep.json}, {@code sweep.csv}, {@code sweep.html} with {@code sweep.png}, and
     * {@code best-maskpro.properties} (unless every candidate failed) into {@code dir}.
     */
    public void writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeJson(dir.resolve("sweep.json"));
        writeCsv(dir.resolve("sweep.csv"));
        SweepReport.write(this, dir.resolve("sweep.html"));
        if (best().isPresent()) {
            writeBestProperties(dir.resolve("best-maskpro.properties"));
        }
    }
}
