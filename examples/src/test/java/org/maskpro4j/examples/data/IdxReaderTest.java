package org.maskpro4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        }
        return bytes.toByteArray();
    }

    static byte[] ramp(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 37);
        }
        return data;
    }

    @Test
    void readsPlainAndGzipIdentically() throws IOException {
        byte[] data = ramp(2 * 3 * 4);
        byte[] raw = idx(0x00000803, new int[] {2, 3, 4}, data);
        Path plain = Files.write(dir.resolve("images-idx3-ubyte"), raw);
        // A misleading name on purpose: compression is detected from the content.
        Path zipped = Files.write(dir.resolve("images-idx3-ubyte.bin"), gzip(raw));

        for (Path file : new Path[] {plain, zipped}) {
            IdxReader.IdxContent content = IdxReader.read(file, 3);
            assertArrayEquals(new long[] {2, 3, 4}, content.shape(), file.toString());
            assertArrayEquals(data, content.data(), file.toString());
            assertEquals(2, content.count());
        }
    }

    @Test
    void wrongMagicNamesTheFileAndBothNumbers() throws IOException {
        Path labels = Files.write(dir.resolve("labels-idx1-ubyte"), idx(0x00000801, new int[] {3}, ramp(3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(labels, 3));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801") && e.getMessage().contains("0x00000803"), e.getMessage());

        Path text = Files.writeString(dir.resolve("notes.txt"), "this is not an IDX file at all");
        e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(text, 1));
        assertTrue(e.getMessage().contains(text.toString()) && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void truncatedDataIsReportedWithCounts() throws IOException {
        byte[] raw = idx(0x00000803, new int[] {2, 3, 4}, ramp(2 * 3 * 4));
        byte[] cut = Arrays.copyOf(raw, raw.length - 5);
        Path plain = Files.write(dir.resolve("cut-idx3-ubyte"), cut);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(plain, 3));
        assertTrue(e.getMessage().contains(plain.toString()) && e.getMessage().contains("truncated")
                && e.getMessage().contains("needs 24") && e.getMessage().contains("found 19"), e.getMessage());

        Path header = Files.write(dir.resolve("header-only"), Arrays.copyOf(raw, 6));
        e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(header, 3));
        assertTrue(e.getMessage().contains(header.toString()) && e.getMessage().contains("header"), e.getMessage());

        byte[] zipped = gzip(raw);
        Path gz = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(zipped, zipped.length / 2));
        e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(gz, 3));
        assertTrue(e.getMessage().contains(gz.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void trailingBytesAndMissingFilesAreRejected() throws IOException {
        byte[] raw = idx(0x00000801, new int[] {3}, ramp(4));
        Path extra = Files.write(dir.resolve("extra-idx1-ubyte"), raw);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(extra, 1));
        assertTrue(e.getMessage().contains("beyond"), e.getMessage());

        Path missing = dir.resolve("absent-idx1-ubyte");
        e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(missing, 1));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
