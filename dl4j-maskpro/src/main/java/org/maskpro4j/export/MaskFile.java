package org.maskpro4j.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.maskpro4j.nm.MaskCode;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.weights.ByteMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learned masks alone, in the compact code: per group the combination rank in ⌈log2 C(M,N)⌉ bits
 * (0.75 bit per weight at 2:4). A zip with a manifest (pattern, weight names, group counts, and since format 2 the
 * {@link Provenance} of the masks) and one packed entry per weight, so masks can be shipped apart from the model and
 * applied to its dense weights. Format 1 files (no provenance) still load.
 */
public final class MaskFile {
    public static final String EXTENSION = ".nmmask";
    private static final String MANIFEST = "manifest.properties";
    private static final String FORMAT = "maskpro4j-nm-mask-";
    /** Format 1: masks only; format 2: masks and provenance. */
    private static final int VERSION = 2;

    /** The masks (BYTE 0/1), their pattern and where they came from (null for a format 1 file), as read back. */
    public record Contents(NmPattern pattern, Map<String, INDArray> masks, Provenance provenance) {
    }

    private MaskFile() {
    }

    /** Where the mask file of a model written to {@code modelFile} goes. */
    public static Path pathFor(Path modelFile) {
        return modelFile.resolveSibling(modelFile.getFileName() + EXTENSION);
    }

    /** @param provenance where the masks came from; required, so every mask file written can be traced */
    public static void write(Path file, NmPattern pattern, Map<String, INDArray> masks, Provenance provenance)
            throws IOException {
        Properties manifest = new Properties();
        manifest.setProperty("format", FORMAT + VERSION);
        Objects.requireNonNull(provenance, "provenance").write(manifest);
        manifest.setProperty("pattern", pattern.toString());
        manifest.setProperty("weights", Integer.toString(masks.size()));
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            int i = 0;
            for (Map.Entry<String, INDArray> e : masks.entrySet()) {
                manifest.setProperty("weight." + i + ".name", e.getKey());
                manifest.setProperty("weight." + i + ".groups", Long.toString(e.getValue().size(0)));
                zip.putNextEntry(new ZipEntry("mask-" + i + ".bin"));
                zip.write(MaskCode.encode(e.getValue(), pattern));
                zip.closeEntry();
                i++;
            }
            StringWriter text = new StringWriter();
            manifest.store(text, "maskpro4j compact N:M masks");
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(text.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    public static Contents read(Path file) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream is = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(is)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        byte[] manifestBytes = entries.get(MANIFEST);
        if (manifestBytes == null) {
            throw new IOException(file + " is not a maskpro4j mask file (no " + MANIFEST + ")");
        }
        Properties manifest = new Properties();
        manifest.load(new StringReader(new String(manifestBytes, StandardCharsets.UTF_8)));
        String format = manifest.getProperty("format", "");
        if (!format.equals(FORMAT + 1) && !format.equals(FORMAT + VERSION)) {
            throw new IOException(file + " is a mask file of format \"" + format + "\", which this maskpro4j does not"
                    + " read (it reads " + FORMAT + "1 and " + FORMAT + VERSION + "); write it again with this version");
        }
        NmPattern pattern = NmPattern.parse(manifest.getProperty("pattern"));
        Map<String, INDArray> masks = new LinkedHashMap<>();
        int n = Integer.parseInt(manifest.getProperty("weights", "0"));
        for (int i = 0; i < n; i++) {
            byte[] code = entries.get("mask-" + i + ".bin");
            if (code == null) {
                throw new IOException(file + " is truncated: mask " + i + " is missing");
            }
            long groups = Long.parseLong(manifest.getProperty("weight." + i + ".groups"));
            INDArray decoded = MaskCode.decode(code, groups, pattern); // FLOAT, for this weight only
            INDArray mask = ByteMasks.ofBinary(decoded);
            if (mask != decoded) {
                decoded.close(); // its native buffer would otherwise wait for a collection, one per weight
            }
            masks.put(manifest.getProperty("weight." + i + ".name"), mask);
        }
        return new Contents(pattern, masks, Provenance.read(manifest));
    }
}
