package org.maskpro4j.maskpro;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.maskpro4j.io.BoundedRead;
import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything a MaskPro run needs to continue bit-identically: config, step, δ, logits, prior mask, cached prior
 * losses and the step history. Sampling seeds derive from (seed, step), so no generator state is needed.
 * Files are written to a temporary sibling and renamed, so a crash never leaves a half-written checkpoint.
 */
public final class MaskProCheckpoint {
    private static final String CONFIG = "config.properties";
    private static final String STATE = "state.properties";
    private static final String LOGITS = "logits.nd4j";
    private static final String PRIOR = "prior.nd4j";
    private static final String PRIOR_LOSSES = "prior-losses.properties";
    private static final String HISTORY = "history.csv";
    private static final String PROVENANCE = "provenance.properties";
    private static final String SELECTION = "selection.csv";
    private static final String BEST_MASK = "best-mask.nd4j";
    /**
     * The state key naming the one-byte level set the stored logits lie on ({@link Logit8#LEVELS}); absent in checkpoints
     * written before session 10, whose logits lie on the earlier exponential levels. The logits are stored as decoded
     * floats either way, so a restore reads them as they are and rounds each into the current levels, unbiased: values
     * on a current level stay, others become one of the two levels around them.
     */
    public static final String LOGIT_LEVELS = "logitLevels";

    /**
     * A checkpoint as read from disk, before it is bound to a model's weights; {@code provenance} is null for a
     * checkpoint written before provenance was recorded.
     */
    public record Snapshot(MaskProConfig config, long step, double delta, INDArray logits, INDArray prior,
            Map<String, Long> groupsPerWeight, Map<String, Double> priorLosses, List<StepRecord> history,
            Provenance provenance, double spreadMeanSquare, long spreadUpdates, List<SelectionRecord> selectionRecords,
            INDArray bestMask, double bestLoss, long bestStep) {

        BestMaskSelection selection() {
            return new BestMaskSelection(selectionRecords, bestMask, bestLoss, bestStep);
        }

        /** Rebuilds the step state on {@code weights}, which must be the same weights (names, group counts). */
        public MaskProStep bind(List<MaskableWeight> weights, MaskProConfig requested) {
            if (!config.sameRunAs(requested)) {
                throw new IllegalArgumentException("Checkpoint was written by a different run (" + config
                        + ") than the one requested (" + requested + "); use another checkpoint path or the same settings");
            }
            Map<String, Long> actual = new LinkedHashMap<>();
            for (MaskableWeight w : weights) {
                actual.put(w.name(), w.layout().groupCount());
            }
            if (!actual.equals(groupsPerWeight)) {
                throw new IllegalArgumentException("Checkpoint covers weights " + groupsPerWeight
                        + " but the model has " + actual + "; it belongs to another model or layer selection");
            }
            MaskPolicy policy = MaskPolicy.restore(config.pattern(), weights, logits, prior);
            return new MaskProStep(requested, policy, step, delta, new HashMap<>(priorLosses),
                    new MaskProStep.SpreadTracker(spreadMeanSquare, spreadUpdates));
        }
    }

    private MaskProCheckpoint() {
    }

    /** @param provenance where the run comes from (method, config, data and prior fingerprints, versions), or null */
    public static void save(Path file, MaskProStep state, List<StepRecord> history, Provenance provenance)
            throws IOException {
        save(file, state, history, provenance, new BestMaskSelection());
    }

    static void save(Path file, MaskProStep state, List<StepRecord> history, Provenance provenance,
            BestMaskSelection selection) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                write(os, state, history, provenance, selection);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The checkpoint as bytes on {@code out} (not closed), e.g. to send the state to another machine. */
    public static void write(OutputStream out, MaskProStep state, List<StepRecord> history, Provenance provenance)
            throws IOException {
        write(out, state, history, provenance, new BestMaskSelection());
    }

    static void write(OutputStream out, MaskProStep state, List<StepRecord> history, Provenance provenance,
            BestMaskSelection selection) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        putProperties(zip, CONFIG, state.config().toProperties());
        Properties s = new Properties();
        s.setProperty("step", Long.toString(state.step()));
        s.setProperty(LOGIT_LEVELS, Logit8.LEVELS);
        s.setProperty("delta", hex(state.delta()));
        s.setProperty("spreadMeanSquare", hex(state.spreadTracker().meanSquare()));
        s.setProperty("spreadUpdates", Long.toString(state.spreadTracker().updates()));
        s.setProperty("bestLoss", hex(selection.bestLoss()));
        s.setProperty("bestStep", Long.toString(selection.bestStep()));
        List<MaskableWeight> weights = state.policy().weights();
        s.setProperty("weights", Integer.toString(weights.size()));
        for (int i = 0; i < weights.size(); i++) {
            s.setProperty("weight." + i + ".name", weights.get(i).name());
            s.setProperty("weight." + i + ".groups", Long.toString(weights.get(i).layout().groupCount()));
        }
        putProperties(zip, STATE, s);
        putArray(zip, LOGITS, state.policy().logits());
        putArray(zip, PRIOR, state.policy().priorMask());
        Properties losses = new Properties();
        state.priorLosses().forEach((k, v) -> losses.setProperty(k, hex(v)));
        putProperties(zip, PRIOR_LOSSES, losses);
        StringBuilder csv = new StringBuilder(StepRecord.CSV_HEADER).append('\n');
        for (StepRecord r : history) {
            csv.append(r.toCsv()).append('\n');
        }
        putBytes(zip, HISTORY, csv.toString().getBytes(StandardCharsets.UTF_8));
        StringBuilder sel = new StringBuilder(SelectionRecord.CSV_HEADER).append('\n');
        for (SelectionRecord r : selection.records()) {
            sel.append(r.toCsv()).append('\n');
        }
        putBytes(zip, SELECTION, sel.toString().getBytes(StandardCharsets.UTF_8));
        if (selection.bestMask() != null) {
            putArray(zip, BEST_MASK, selection.bestMask());
        }
        if (provenance != null) {
            Properties p = new Properties();
            provenance.write(p);
            putProperties(zip, PROVENANCE, p);
        }
        zip.finish();
    }

    public static Snapshot load(Path file) throws IOException {
        try (InputStream is = Files.newInputStream(file)) {
            return read(is, "Checkpoint " + file);
        }
    }

    /** Reads what {@link #write} wrote; {@code source} names it in errors. */
    public static Snapshot read(InputStream in, String source) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        // the file may be anyone's: each entry is inflated only as far as what the state entry, written before the
        // arrays, declares can need, so a small file cannot make this allocate more than a checkpoint of that size
        long cap = ENTRY_BYTES_BEFORE_STATE;
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            byte[] bytes = BoundedRead.atMost(zip, cap, source + ": its entry " + e.getName() + " inflates past " + cap
                    + " bytes, more than the weights and steps its state declares take; the checkpoint is damaged");
            entries.put(e.getName(), bytes);
            if (e.getName().equals(STATE)) {
                cap = entryCap(properties(bytes));
            }
        }
        for (String required : List.of(CONFIG, STATE, LOGITS, PRIOR, PRIOR_LOSSES, HISTORY)) {
            if (!entries.containsKey(required)) {
                throw new IOException(source + " is not a MaskPro checkpoint (no " + required + ")");
            }
        }
        MaskProConfig config = MaskProConfig.fromProperties(properties(entries.get(CONFIG)));
        Properties s = properties(entries.get(STATE));
        String levels = s.getProperty(LOGIT_LEVELS, Logit8.LEVELS_BEFORE_10);
        if (!levels.equals(Logit8.LEVELS) && !levels.equals(Logit8.LEVELS_BEFORE_10)) {
            throw new IOException(source + " stores logits on levels '" + levels + "', which this version does not know"
                    + " (it knows '" + Logit8.LEVELS + "' and '" + Logit8.LEVELS_BEFORE_10 + "'); resume it with the"
                    + " maskpro4j version that wrote it");
        }
        Map<String, Long> groups = new LinkedHashMap<>();
        int n = Integer.parseInt(s.getProperty("weights"));
        for (int i = 0; i < n; i++) {
            groups.put(s.getProperty("weight." + i + ".name"), Long.parseLong(s.getProperty("weight." + i + ".groups")));
        }
        Map<String, Double> losses = new HashMap<>();
        properties(entries.get(PRIOR_LOSSES)).forEach((k, v) ->
                losses.put((String) k, unhex((String) v)));
        List<StepRecord> history = new ArrayList<>(csvLines(entries.get(HISTORY)).stream().map(StepRecord::fromCsv).toList());
        // checkpoints written before the spread tracker and the selection existed have neither
        List<SelectionRecord> selection = entries.containsKey(SELECTION)
                ? csvLines(entries.get(SELECTION)).stream().map(SelectionRecord::fromCsv).toList() : List.of();
        return new Snapshot(config, Long.parseLong(s.getProperty("step")), unhex(s.getProperty("delta")),
                array(entries.get(LOGITS)), array(entries.get(PRIOR)), groups, losses, history,
                entries.containsKey(PROVENANCE) ? Provenance.read(properties(entries.get(PROVENANCE))) : null,
                s.containsKey("spreadMeanSquare") ? unhex(s.getProperty("spreadMeanSquare")) : 0,
                Long.parseLong(s.getProperty("spreadUpdates", "0")), selection,
                entries.containsKey(BEST_MASK) ? array(entries.get(BEST_MASK)) : null,
                s.containsKey("bestLoss") ? unhex(s.getProperty("bestLoss")) : Double.POSITIVE_INFINITY,
                Long.parseLong(s.getProperty("bestStep", "0")));
    }

    /** What an entry before the state may take: properties of a few keys. */
    private static final long ENTRY_BYTES_BEFORE_STATE = 16 << 20;

    /**
     * What an entry may take given the state's declared groups and step: an array of at most 64 doubles a group (M ≤ 64),
     * or a CSV line of at most 1 KiB a step, past the properties' allowance; the state's own errors are reported later.
     */
    private static long entryCap(Properties state) {
        try {
            long groups = 0;
            int n = Integer.parseInt(state.getProperty("weights"));
            for (int i = 0; i < n; i++) {
                groups = Math.addExact(groups, Long.parseLong(state.getProperty("weight." + i + ".groups")));
            }
            long step = Long.parseLong(state.getProperty("step"));
            long cap = Math.addExact(Math.addExact(ENTRY_BYTES_BEFORE_STATE, Math.multiplyExact(groups, 512L)),
                    Math.multiplyExact(Math.addExact(step, 1), 1024L));
            return Math.min(cap, Integer.MAX_VALUE - 9L);
        } catch (RuntimeException e) {
            return ENTRY_BYTES_BEFORE_STATE;
        }
    }

    private static List<String> csvLines(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                out.add(lines[i]);
            }
        }
        return out;
    }

    private static String hex(double v) {
        return Long.toHexString(Double.doubleToRawLongBits(v));
    }

    private static double unhex(String v) {
        return Double.longBitsToDouble(Long.parseUnsignedLong(v, 16));
    }

    private static void putProperties(ZipOutputStream zip, String name, Properties p) throws IOException {
        StringWriter w = new StringWriter();
        p.store(w, null);
        putBytes(zip, name, w.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void putArray(ZipOutputStream zip, String name, INDArray a) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(a, out);
        }
        putBytes(zip, name, bytes.toByteArray());
    }

    private static void putBytes(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static Properties properties(byte[] bytes) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        return p;
    }

    private static INDArray array(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        }
    }
}
