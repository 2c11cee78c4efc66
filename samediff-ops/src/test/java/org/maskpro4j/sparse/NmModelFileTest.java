package org.maskpro4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.nm.NmPattern;

class NmModelFileTest {
    @TempDir
    Path dir;

    private NmModelFile sample() {
        NmModelFile.Builder b = NmModelFile.builder();
        for (String text : new String[] {"2:4", "4:8", "1:4", "8:16"}) {
            NmPattern p = NmPattern.parse(text);
            b.matrix("w" + text, NmMatrix.compress(text, RandomNm.dense(9, p.m() * 5, p, 11), 9, p.m() * 5, p));
        }
        return b.tensor("bias", new DenseTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}))
                .bytes("config.json", "{\"layers\":2}".getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void writesAndReadsBackEveryEntry() throws IOException {
        NmModelFile model = sample();
        Path file = dir.resolve("m.nmz");
        model.write(file);
        NmModelFile back = NmModelFile.read(file);
        assertEquals(model.names().stream().toList(), back.names().stream().toList());
        assertEquals(model.matrices(), back.matrices());
        assertEquals(model.tensor("bias"), back.tensor("bias"));
        assertArrayEquals(model.bytes("config.json"), back.bytes("config.json"));
        assertEquals(model.weightBytes(), back.weightBytes());
        assertTrue(back.weightBytes() < back.denseWeightBytes());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void rejectsForeignTruncatedCorruptAndOversizedFiles() throws IOException {
        Path file = dir.resolve("m.nmz");
        sample().write(file);
        byte[] good = Files.readAllBytes(file);

        assertMessage(bytes("PK\u0003\u0004 not a model at all"), "not a compressed maskpro4j model");
        assertMessage(Arrays.copyOf(good, good.length - 100), "truncated");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        assertThrows(IllegalArgumentException.class, () -> NmModelFile.read(write(flipped)));
        byte[] version = good.clone();
        version[4] = 9;
        assertMessage(version, "format version 9");
        // a first entry (a 2:4 matrix) whose row count claims 2^31-1 rows: refused before any allocation
        byte[] huge = good.clone();
        int nameLength = ByteBuffer.wrap(good, 13, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        ByteBuffer.wrap(huge, 15 + nameLength + 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MAX_VALUE);
        assertMessage(huge, "more bytes than");
    }

    private void assertMessage(byte[] content, String expected) throws IOException {
        Path file = write(content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NmModelFile.read(file));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    private Path write(byte[] content) throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".nmz");
        Files.write(file, content);
        return file;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
