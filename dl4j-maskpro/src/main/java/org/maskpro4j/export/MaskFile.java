package org.maskpro4j.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.maskpro4j.io.BoundedRead;
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
    /** A manifest holds names and counts: far below this for any model. */
    private static final int MAX_MANIFEST_BYTES = 16 << 20;

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

    /**
     * Reads the masks back. The file is untrusted: the manifest is read first and each mask entry only up to the bytes
     * its declared group count needs, so what a file can make this allocate is bounded by what it declares, never by
     * what its entries inflate to.
     */
    public static Contents read(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Properties manifest = manifest(file, zip);
            NmPattern pattern = pattern(file, manifest);
            Map<String, INDArray> masks = new LinkedHashMap<>();
            long n = count(file, manifest, "weights");
            for (long i = 0; i < n; i++) {
                long groups = count(file, manifest, "weight." + i + ".groups");
                ZipEntry entry = zip.getEntry("mask-" + i + ".bin");
                if (entry == null) {
                    throw new IOException(file + " is truncated: mask " + i + " is missing");
                }
                if (groups > Integer.MAX_VALUE - 8) {
                    throw new IOException(file + ": mask " + i + " declares " + groups + " groups, more than one weight"
                            + " this version reads; the file is corrupt or was not written by maskpro4j");
                }
                long expected = MaskCode.codeBytes(groups, pattern);
                byte[] code;
                try (InputStream in = zip.getInputStream(entry)) {
                    code = in.readNBytes((int) expected + 1);
                }
                if (code.length != expected) {
                    throw new IOException(file + ": mask " + i + " holds " + (code.length > expected ? "more" : "fewer")
                            + " than the " + expected + " bytes its " + groups + " groups of " + pattern + " take; the"
                            + " file is corrupt");
                }
                INDArray decoded = MaskCode.decode(code, groups, pattern); // FLOAT, for this weight only
                INDArray mask = ByteMasks.ofBinary(decoded);
                if (mask != decoded) {
                    decoded.close(); // its native buffer would otherwise wait for a collection, one per weight
                }
                masks.put(manifest.getProperty("weight." + i + ".name"), mask);
            }
            return new Contents(pattern, masks, provenance(file, manifest));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Where the masks came from (null for a format 1 file), from the manifest alone: no mask is read or decoded. */
    public static Provenance readProvenance(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            return provenance(file, manifest(file, zip));
        }
    }

    private static Provenance provenance(Path file, Properties manifest) throws IOException {
        try {
            return Provenance.read(manifest);
        } catch (RuntimeException e) {
            throw new IOException(file + ": its manifest's provenance does not parse (" + e.getMessage() + ")", e);
        }
    }

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + " is not a maskpro4j mask file (not a zip: " + e.getMessage() + ")", e);
        }
    }

    /** The manifest, its format checked, read up to {@link #MAX_MANIFEST_BYTES}. */
    private static Properties manifest(Path file, ZipFile zip) throws IOException {
        ZipEntry entry = zip.getEntry(MANIFEST);
        if (entry == null) {
            throw new IOException(file + " is not a maskpro4j mask file (no " + MANIFEST + ")");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = BoundedRead.atMost(in, MAX_MANIFEST_BYTES, file + ": its " + MANIFEST + " is larger than "
                    + MAX_MANIFEST_BYTES + " bytes; the file is corrupt or was not written by maskpro4j");
        }
        Properties manifest = new Properties();
        manifest.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        String format = manifest.getProperty("format", "");
        if (!format.equals(FORMAT + 1) && !format.equals(FORMAT + VERSION)) {
            throw new IOException(file + " is a mask file of format \"" + format + "\", which this maskpro4j does not"
                    + " read (it reads " + FORMAT + "1 and " + FORMAT + VERSION + "); write it again with this version");
        }
        return manifest;
    }

    private static NmPattern pattern(Path file, Properties manifest) throws IOException {
        try {
            return NmPattern.parse(manifest.getProperty("pattern"));
        } catch (RuntimeException e) {
            throw new IOException(file + ": its manifest names no valid N:M pattern (" + e.getMessage() + ")", e);
        }
    }

    /** A non-negative count from the manifest. */
    private static long count(Path file, Properties manifest, String key) throws IOException {
        String text = manifest.getProperty(key);
        try {
            long value = Long.parseLong(text == null ? "" : text.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(file + ": its manifest's " + key + " is \"" + text + "\", not a count; the file is corrupt");
    }
}
