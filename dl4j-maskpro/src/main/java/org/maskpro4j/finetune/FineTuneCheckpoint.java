package org.maskpro4j.finetune;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.maskpro4j.config.PropertiesCodec;
import org.maskpro4j.io.BoundedRead;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The state that continues a fine-tuning run exactly: the optimizer settings, the step, and per trained weight its
 * live values and Adam's two moments. Batches are taken in a fixed cycle, so the step fixes the next batch. Written to
 * a temporary sibling and renamed, so a crash never leaves a half-written file.
 */
final class FineTuneCheckpoint {
    private static final String STATE = "state.properties";
    private static final String CONFIG = "config.";

    record Snapshot(FineTuneConfig config, long step,
                    Map<String, INDArray> live, Map<String, INDArray> first, Map<String, INDArray> second) {
    }

    private FineTuneCheckpoint() {
    }

    static void save(Path file, FineTuneConfig config, long step, Map<String, INDArray> live, MaskedAdam adam)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
                Properties p = new Properties();
                FineTuneConfig.CODEC.write(config, p, CONFIG);
                p.setProperty("step", Long.toString(step));
                zip.putNextEntry(new ZipEntry(STATE));
                p.store(zip, "maskpro4j masked fine-tuning");
                zip.closeEntry();
                for (String name : live.keySet()) {
                    putArray(zip, "live/" + name, live.get(name));
                    putArray(zip, "m/" + name, adam.firstMoments().get(name));
                    putArray(zip, "v/" + name, adam.secondMoments().get(name));
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @param maxEntryBytes what one entry may inflate to (the file may be anyone's): an array as large as the largest
     *                      weight being trained, see {@link #entryBytes}
     */
    static Snapshot load(Path file, long maxEntryBytes) throws IOException {
        Properties p = null;
        Map<String, INDArray> live = new LinkedHashMap<>();
        Map<String, INDArray> first = new LinkedHashMap<>();
        Map<String, INDArray> second = new LinkedHashMap<>();
        try (InputStream is = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(is)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName();
                byte[] bytes = BoundedRead.atMost(zip, maxEntryBytes, "Fine-tuning checkpoint " + file + ": its entry "
                        + name + " inflates past " + maxEntryBytes + " bytes, more than the weights being trained take;"
                        + " the checkpoint is damaged");
                if (name.equals(STATE)) {
                    p = new Properties();
                    p.load(new java.io.StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
                } else if (name.startsWith("live/")) {
                    live.put(name.substring(5), array(bytes));
                } else if (name.startsWith("m/")) {
                    first.put(name.substring(2), array(bytes));
                } else if (name.startsWith("v/")) {
                    second.put(name.substring(2), array(bytes));
                }
            }
        }
        if (p == null) {
            throw new IOException("Fine-tuning checkpoint " + file + " has no " + STATE + "; it is not a maskpro4j"
                    + " fine-tuning checkpoint");
        }
        try {
            return new Snapshot(FineTuneConfig.CODEC.read(PropertiesCodec.section(p, CONFIG)), Long.parseLong(p.getProperty("step")),
                    live, first, second);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("Fine-tuning checkpoint " + file + " has a damaged " + STATE + ": " + p, e);
        }
    }

    /** What an entry of a checkpoint of weights of at most {@code largestWeight} values takes, in doubles, at most. */
    static long entryBytes(long largestWeight) {
        return (16L << 20) + 8 * largestWeight;
    }

    private static void putArray(ZipOutputStream zip, String name, INDArray a) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(a, out);
        }
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes.toByteArray());
        zip.closeEntry();
    }

    private static INDArray array(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        }
    }
}
