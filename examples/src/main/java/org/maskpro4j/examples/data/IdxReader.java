package org.maskpro4j.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads unsigned-byte IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed.
 * Compression is detected from the gzip magic bytes, not from the file name, so gunzipped copies work too.
 */
final class IdxReader {
    /** IDX type code of unsigned bytes, the only element type MNIST-style data sets use. */
    private static final int UNSIGNED_BYTE = 0x08;
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private IdxReader() {
    }

    /** The header dimensions and the raw (unsigned) bytes of one IDX file. */
    public record IdxContent(Path file, long[] shape, byte[] data) {
        public long count() {
            return shape[0];
        }
    }

    /**
     * Reads an unsigned-byte IDX file of the given rank (3 for images, 1 for labels).
     *
     * @throws IllegalArgumentException naming the file when the magic number, the rank or the length is wrong
     * @throws UncheckedIOException     when the file cannot be read at all
     */
    public static IdxContent read(Path file, int expectedRank) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("IDX file " + file + " does not exist or is not a regular file");
        }
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic = readHeaderInt(in, file, "magic number");
            int type = (magic >>> 8) & 0xff;
            int rank = magic & 0xff;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank != expectedRank) {
                throw new IllegalArgumentException(String.format(
                        "%s is not an unsigned-byte IDX file of rank %d: magic number 0x%08x, expected 0x%08x"
                                + " (is it an images file where a labels file belongs, or not IDX at all?)",
                        file, expectedRank, magic, (UNSIGNED_BYTE << 8) | expectedRank));
            }
            long[] shape = new long[rank];
            long length = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = Integer.toUnsignedLong(readHeaderInt(in, file, "dimension " + d));
                length *= shape[d];
            }
            if (length > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("IDX file " + file + " declares shape " + Arrays.toString(shape)
                        + ": more than 2^31 bytes of data is not supported");
            }
            byte[] data = new byte[(int) length];
            int got = in.readNBytes(data, 0, data.length);
            if (got < data.length) {
                throw new IllegalArgumentException("IDX file " + file + " is truncated: shape "
                        + Arrays.toString(shape) + " needs " + data.length + " data bytes, found " + got);
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException("IDX file " + file + " has bytes beyond its declared shape "
                        + Arrays.toString(shape) + ": the header and the data disagree");
            }
            return new IdxContent(file, shape, data);
        } catch (EOFException e) {
            throw new IllegalArgumentException("IDX file " + file + " is truncated: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException("IDX file " + file + " is truncated: it ends inside the header ("
                    + what + ")", e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        return b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1 ? new GZIPInputStream(raw, 1 << 16) : raw;
    }
}
