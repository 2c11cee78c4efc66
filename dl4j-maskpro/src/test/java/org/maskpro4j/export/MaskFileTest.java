package org.maskpro4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.testing.ZipFixtures;

/** Mask files are user input: what reading one allocates is bounded by what its manifest declares. */
class MaskFileTest {
    /** Written by main at f67bf80 (format 2, two weights of 6 and 12 groups at 2:4, provenance of a magnitude run). */
    private static final Path SAVED = Path.of("src", "test", "resources", "saved", "masks-2of4-format2.nmmask");
    private static final String MANIFEST = "format=maskpro4j-nm-mask-2\npattern=2\\:4\nweights=1\n"
            + "weight.0.name=layer0/W\nweight.0.groups=%d\nprovenance.method=magnitude\n";

    @Test
    void theProvenanceIsReadFromTheManifestAlone() throws IOException {
        assertEquals(MaskFile.read(SAVED).provenance(), MaskFile.readProvenance(SAVED));
        assertEquals("magnitude", MaskFile.readProvenance(SAVED).toMap().get("method"));
    }

    @Test
    void aMaskEntryIsReadOnlyAsFarAsItsGroupsNeed(@TempDir Path dir) throws IOException {
        // 6 groups at 2:4 take 3 bytes; the entry inflates to 64 MiB of zeros (64 KiB on disk)
        Path file = maskFile(dir.resolve("inflating.nmmask"), 6, 64L << 20);
        IOException e = assertThrows(IOException.class, () -> MaskFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("more than the 3 bytes"),
                e.getMessage());
        assertNotNull(MaskFile.readProvenance(file), "the manifest still reads");
    }

    @Test
    void aManifestDeclaringAHugeWeightCostsTheProvenanceReaderNothing(@TempDir Path dir) throws IOException {
        // 600 M groups: a 225 MB entry (200 KB on disk) that would decode to 9.6 GB of FLOAT
        long groups = 600_000_000L;
        Path file = maskFile(dir.resolve("huge.nmmask"), groups, (groups * 3 + 7) / 8);
        assertEquals("magnitude", MaskFile.readProvenance(file).toMap().get("method"));
    }

    @Test
    void aFileThatIsNotAZipIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("text.nmmask"), "not a zip");
        IOException e = assertThrows(IOException.class, () -> MaskFile.readProvenance(file));
        assertTrue(e.getMessage().startsWith(file + " is not a maskpro4j mask file"), e.getMessage());
    }

    /** A format 2 file of one 2:4 weight of {@code groups} groups whose entry holds {@code bytes} zero bytes. */
    static Path maskFile(Path file, long groups, long bytes) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("mask-0.bin"));
            ZipFixtures.zeros(zip, bytes);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("manifest.properties"));
            zip.write(String.format(MANIFEST, groups).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return file;
    }
}
