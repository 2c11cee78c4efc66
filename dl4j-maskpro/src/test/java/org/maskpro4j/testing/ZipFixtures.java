package org.maskpro4j.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Hostile zips for the readers' bounds: entries that inflate far beyond their size on disk. */
public final class ZipFixtures {
    private ZipFixtures() {
    }

    /** Writes {@code bytes} zero bytes (deflated about a thousandfold in a zip entry). */
    public static void zeros(OutputStream out, long bytes) throws IOException {
        byte[] zeros = new byte[1 << 20];
        for (long left = bytes; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(zeros.length, left));
        }
    }

    /** {@code from} copied to {@code to}, its first entry named {@code prefix…} replaced by {@code bytes} zero bytes. */
    public static Path copyInflating(Path from, Path to, String prefix, long bytes) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); OutputStream os = Files.newOutputStream(to);
                ZipOutputStream z = new ZipOutputStream(os)) {
            boolean replaced = false;
            for (ZipEntry e : Collections.list(in.entries())) {
                z.putNextEntry(new ZipEntry(e.getName()));
                if (!replaced && e.getName().startsWith(prefix)) {
                    zeros(z, bytes);
                    replaced = true;
                } else {
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(z);
                    }
                }
                z.closeEntry();
            }
        }
        return to;
    }
}
