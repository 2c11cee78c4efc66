package org.maskpro4j.sparse;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;

import org.maskpro4j.nm.NmPattern;

/**
 * A compressed model on disk: named N:M matrices, dense fp32 tensors and byte blobs (e.g. a layer configuration), in
 * one versioned little-endian file. Layout: {@code "MPNM"}, int32 version, int32 entry count, the entries, then the
 * CRC-32 of everything before it. An entry is a tag byte (1 N:M matrix, 2 dense tensor, 3 bytes), a UTF-8 name
 * (uint16 length) and its payload: a matrix is int32 N, M, rows, cols then its values (fp32) and packed positions,
 * whose sizes follow from those four; a tensor is int32 rank, int64 dimensions, fp32 values; bytes are int32 length
 * then the bytes.
 *
 * <p>The reader treats the file as untrusted: every declared size is checked against the bytes left before anything
 * is allocated, names and ranks are bounded, matrices are validated ({@link NmMatrix}), and the checksum must match.
 * Every problem is one {@link IllegalArgumentException} naming the file.
 */
public final class NmModelFile {
    public static final int VERSION = 1;
    public static final int MAX_ENTRIES = 1 << 16;
    public static final int MAX_NAME_BYTES = 1024;
    private static final byte[] MAGIC = {'M', 'P', 'N', 'M'};
    private static final byte MATRIX = 1;
    private static final byte TENSOR = 2;
    private static final byte BYTES = 3;
    private static final int CHUNK = 1 << 20;

    private final Map<String, Object> entries;

    private NmModelFile(Map<String, Object> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean hasMatrix(String name) {
        return entries.get(name) instanceof NmMatrix;
    }

    public NmMatrix matrix(String name) {
        return get(name, NmMatrix.class);
    }

    public DenseTensor tensor(String name) {
        return get(name, DenseTensor.class);
    }

    public byte[] bytes(String name) {
        return get(name, byte[].class).clone();
    }

    /** All N:M matrices, by name, in file order. */
    public Map<String, NmMatrix> matrices() {
        Map<String, NmMatrix> out = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (v instanceof NmMatrix m) {
                out.put(k, m);
            }
        });
        return out;
    }

    /** Bytes of the weights as stored: matrices (values + positions) plus dense tensors. */
    public long weightBytes() {
        return entries.values().stream().mapToLong(v -> v instanceof NmMatrix m ? m.bytes()
                : v instanceof DenseTensor t ? t.bytes() : 0).sum();
    }

    /** Bytes the same weights take as dense fp32. */
    public long denseWeightBytes() {
        return entries.values().stream().mapToLong(v -> v instanceof NmMatrix m ? m.denseBytes()
                : v instanceof DenseTensor t ? t.bytes() : 0).sum();
    }

    private <T> T get(String name, Class<T> type) {
        Object value = entries.get(name);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("Compressed model has no " + type.getSimpleName() + " entry '" + name
                    + "'" + (value == null ? "" : " (it is a " + value.getClass().getSimpleName() + ")"));
        }
        return type.cast(value);
    }

    /** Writes atomically: a temporary file beside {@code out}, then a rename. */
    public void write(Path out) throws IOException {
        Path target = out.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            try (Writer w = new Writer(new BufferedOutputStream(Files.newOutputStream(tmp), CHUNK))) {
                w.bytes(MAGIC);
                w.int32(VERSION);
                w.int32(entries.size());
                for (Map.Entry<String, Object> e : entries.entrySet()) {
                    w.entry(e.getKey(), e.getValue());
                }
                w.finish();
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @throws IllegalArgumentException naming the file for anything that is not a valid version-1 compressed model
     */
    public static NmModelFile read(Path file) throws IOException {
        long size = Files.size(file);
        try (Reader r = new Reader(new BufferedInputStream(Files.newInputStream(file), CHUNK), size, file)) {
            byte[] magic = r.bytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw r.bad("does not start with \"MPNM\": not a compressed maskpro4j model (write one with maskpro compress)");
            }
            int version = r.int32();
            if (version != VERSION) {
                throw r.bad("has format version " + version + "; this maskpro4j reads version " + VERSION);
            }
            int count = r.int32();
            if (count < 0 || count > MAX_ENTRIES) {
                throw r.bad("declares " + count + " entries, outside 0.." + MAX_ENTRIES);
            }
            Builder b = builder();
            for (int i = 0; i < count; i++) {
                r.entry(b);
            }
            r.checkTrailer();
            return b.build();
        } catch (EOFException e) {
            throw new IllegalArgumentException("Compressed model " + file + " is truncated", e);
        }
    }

    /** Collects entries; names are unique. */
    public static final class Builder {
        private final Map<String, Object> entries = new LinkedHashMap<>();

        public Builder matrix(String name, NmMatrix m) {
            return put(name, m);
        }

        public Builder tensor(String name, DenseTensor t) {
            return put(name, t);
        }

        public Builder bytes(String name, byte[] bytes) {
            return put(name, bytes.clone());
        }

        private Builder put(String name, Object value) {
            Objects.requireNonNull(value, name);
            if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("Entry name must have 1.." + MAX_NAME_BYTES + " UTF-8 bytes: '" + name + "'");
            }
            if (entries.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("Duplicate entry '" + name + "'");
            }
            if (entries.size() > MAX_ENTRIES) {
                throw new IllegalArgumentException("More than " + MAX_ENTRIES + " entries");
            }
            return this;
        }

        public NmModelFile build() {
            return new NmModelFile(entries);
        }
    }

    /** Little-endian output with a running CRC-32. */
    private static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final CRC32 crc = new CRC32();
        private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);

        Writer(OutputStream out) {
            this.out = out;
        }

        void entry(String name, Object value) throws IOException {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            if (value instanceof NmMatrix m) {
                bytes(new byte[] {MATRIX});
                name(utf8);
                int32(m.pattern().n());
                int32(m.pattern().m());
                int32(m.rows());
                int32(m.cols());
                floats(m.values());
                bytes(m.positions());
            } else if (value instanceof DenseTensor t) {
                bytes(new byte[] {TENSOR});
                name(utf8);
                int32(t.shape().length);
                for (long d : t.shape()) {
                    ensure(Long.BYTES).putLong(d);
                }
                floats(t.values());
            } else {
                byte[] blob = (byte[]) value;
                bytes(new byte[] {BYTES});
                name(utf8);
                int32(blob.length);
                bytes(blob);
            }
        }

        private void name(byte[] utf8) throws IOException {
            ensure(2).putShort((short) utf8.length);
            bytes(utf8);
        }

        void int32(int v) throws IOException {
            ensure(Integer.BYTES).putInt(v);
        }

        void floats(float[] values) throws IOException {
            for (float v : values) {
                ensure(Float.BYTES).putFloat(v);
            }
        }

        void bytes(byte[] bytes) throws IOException {
            for (int off = 0; off < bytes.length; ) {
                int n = Math.min(bytes.length - off, CHUNK);
                ensure(n).put(bytes, off, n);
                off += n;
            }
        }

        private ByteBuffer ensure(int n) throws IOException {
            if (buffer.remaining() < n) {
                flush();
            }
            return buffer;
        }

        private void flush() throws IOException {
            crc.update(buffer.array(), 0, buffer.position());
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }

        void finish() throws IOException {
            flush();
            int checksum = (int) crc.getValue();
            buffer.putInt(checksum);
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Little-endian input that never allocates more than the bytes left in the file. */
    private static final class Reader implements AutoCloseable {
        private final InputStream in;
        private final Path file;
        private final CRC32 crc = new CRC32();
        private long left;

        Reader(InputStream in, long size, Path file) {
            this.in = in;
            this.left = size;
            this.file = file;
        }

        IllegalArgumentException bad(String what) {
            return new IllegalArgumentException("Compressed model " + file + " " + what);
        }

        void entry(Builder b) throws IOException {
            byte tag = bytes(1)[0];
            int nameLength = Short.toUnsignedInt(buffer(2).getShort());
            if (nameLength == 0 || nameLength > MAX_NAME_BYTES) {
                throw bad("has an entry name of " + nameLength + " bytes, outside 1.." + MAX_NAME_BYTES + " (corrupt?)");
            }
            String name = new String(bytes(nameLength), StandardCharsets.UTF_8);
            try {
                switch (tag) {
                    case MATRIX -> b.matrix(name, matrix());
                    case TENSOR -> b.tensor(name, tensor());
                    case BYTES -> b.put(name, bytes(nonNegative(int32())));
                    default -> throw bad("has an entry '" + name + "' of unknown kind " + tag + " (corrupt or newer file?)");
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("Compressed model ")) {
                    throw e;
                }
                throw bad("entry '" + name + "': " + e.getMessage());
            }
        }

        private NmMatrix matrix() throws IOException {
            int n = int32();
            int m = int32();
            int rows = int32();
            int cols = int32();
            NmPattern pattern = NmPattern.of(n, m);
            if (rows <= 0 || cols <= 0 || cols % m != 0) {
                throw new IllegalArgumentException("shape [" + rows + ", " + cols + "] does not fit " + pattern);
            }
            long kept = (long) rows * (cols / m) * n;
            long positionBytes = (long) rows * NmMatrix.rowPositionBytes(pattern, cols);
            require(kept * Float.BYTES + positionBytes);
            return new NmMatrix(pattern, rows, cols, floats((int) kept), bytes((int) positionBytes));
        }

        private DenseTensor tensor() throws IOException {
            int rank = int32();
            if (rank < 0 || rank > DenseTensor.MAX_RANK) {
                throw new IllegalArgumentException("rank " + rank + " outside 0.." + DenseTensor.MAX_RANK);
            }
            long[] shape = new long[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = buffer(Long.BYTES).getLong();
                if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("dimension " + shape[i] + " outside 0.." + Integer.MAX_VALUE);
                }
                count = Math.multiplyExact(count, shape[i]);
                require(count * Float.BYTES);
            }
            return new DenseTensor(shape, floats((int) count));
        }

        private static int nonNegative(int length) {
            if (length < 0) {
                throw new IllegalArgumentException("negative length " + length);
            }
            return length;
        }

        int int32() throws IOException {
            return buffer(Integer.BYTES).getInt();
        }

        private float[] floats(int count) throws IOException {
            require((long) count * Float.BYTES);
            float[] out = new float[count];
            for (int off = 0; off < count; ) {
                int n = Math.min(count - off, CHUNK / Float.BYTES);
                buffer(n * Float.BYTES).asFloatBuffer().get(out, off, n);
                off += n;
            }
            return out;
        }

        private ByteBuffer buffer(int n) throws IOException {
            return ByteBuffer.wrap(bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        }

        byte[] bytes(int n) throws IOException {
            require(n);
            byte[] out = in.readNBytes(n);
            if (out.length != n) {
                throw new EOFException();
            }
            crc.update(out);
            left -= n;
            return out;
        }

        private void require(long n) {
            // the trailer's 4 bytes must stay
            if (n < 0 || n > left - Integer.BYTES) {
                throw bad("declares " + n + " more bytes than the " + Math.max(0, left - Integer.BYTES)
                        + " left: truncated or corrupt");
            }
        }

        void checkTrailer() throws IOException {
            int expected = (int) crc.getValue();
            byte[] trailer = in.readNBytes(Integer.BYTES);
            if (trailer.length != Integer.BYTES || left != Integer.BYTES) {
                throw bad("has " + (left - Integer.BYTES) + " unexpected bytes after its entries, or no checksum (corrupt?)");
            }
            int stored = ByteBuffer.wrap(trailer).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (stored != expected) {
                throw bad("fails its CRC-32 check: the file is corrupt");
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
