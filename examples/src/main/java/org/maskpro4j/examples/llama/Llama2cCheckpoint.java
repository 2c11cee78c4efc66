package org.maskpro4j.examples.llama;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A llama2.c checkpoint in the legacy ("version 0") format that {@code run.c} reads: a 7-int32 little-endian
 * header {@code dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len} (a negative vocab size
 * means an unshared classifier), then fp32 little-endian tensors, each stacked over layers: token embedding,
 * rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, the RoPE tables freq_cis_real/imag (unused by
 * run.c, kept for a byte-identical round trip) and, when unshared, wcls.
 *
 * <p>Tensors are held per layer under the names of {@link LlamaNames}; linear weights are {@code [out, in]}.
 * Immutable: {@link #withTensors} returns a copy, e.g. to export pruned weights.
 */
public final class Llama2cCheckpoint {
    private static final int HEADER_INTS = 7;
    private static final int HEADER_BYTES = HEADER_INTS * Integer.BYTES;
    /** First int of llama2.c's newer export formats ("ak42"): their header differs, so say so instead of misreading. */
    private static final int VERSIONED_MAGIC = 0x616b3432;
    private static final double ROPE_THETA = 10000.0;
    /** Floats per write when streaming a tensor to the file: 1 MiB. */
    private static final int WRITE_CHUNK_FLOATS = 1 << 18;

    private final LlamaConfig config;
    private final Map<String, INDArray> tensors;

    private Llama2cCheckpoint(LlamaConfig config, Map<String, INDArray> tensors) {
        this.config = config;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * A checkpoint from named tensors (names and shapes as {@link #tensorShapes}). The RoPE tables may be left out:
     * they are then computed as llama2.c's export does.
     */
    public static Llama2cCheckpoint of(LlamaConfig config, Map<String, INDArray> tensors) {
        Map<String, long[]> shapes = tensorShapes(config);
        Map<String, INDArray> copy = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            INDArray given = tensors.get(e.getKey());
            if (given == null && (e.getKey().equals(LlamaNames.FREQ_CIS_REAL) || e.getKey().equals(LlamaNames.FREQ_CIS_IMAG))) {
                given = ropeTable(config, e.getKey().equals(LlamaNames.FREQ_CIS_REAL));
            }
            if (given == null) {
                throw new IllegalArgumentException("Checkpoint tensor '" + e.getKey() + "' " + Arrays.toString(e.getValue())
                        + " is missing");
            }
            copy.put(e.getKey(), checkedCopy(e.getKey(), given, e.getValue()));
        }
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            requireShape(e.getKey(), e.getValue(), shapes);
        }
        return new Llama2cCheckpoint(config, copy);
    }

    /** The tensors of a model with {@code config}, in file order, with their shapes. */
    public static Map<String, long[]> tensorShapes(LlamaConfig c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Section s : sections(c)) {
            for (String name : s.names(c)) {
                shapes.put(name, s.shape);
            }
        }
        return shapes;
    }

    /** Reads a legacy-format checkpoint; a clear IllegalArgumentException when the file is not one or is truncated. */
    public static Llama2cCheckpoint read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                throw new IllegalArgumentException("llama2.c checkpoint " + path + " has " + size
                        + " bytes, fewer than its " + HEADER_BYTES + "-byte header: truncated or not a checkpoint");
            }
            ByteBuffer header = readBytes(channel, HEADER_BYTES);
            int[] h = new int[HEADER_INTS];
            header.asIntBuffer().get(h);
            if (h[0] == VERSIONED_MAGIC) {
                throw new IllegalArgumentException("llama2.c checkpoint " + path + " starts with the magic \"ak42\" of the"
                        + " versioned export formats; only the legacy format is supported (export with --version 0)");
            }
            LlamaConfig config;
            try {
                config = new LlamaConfig(h[0], h[1], h[2], h[3], h[4], Math.abs(h[5]), h[6], h[5] > 0);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("llama2.c checkpoint " + path + " has an invalid header "
                        + Arrays.toString(h) + ": " + e.getMessage() + " (not a legacy llama2.c checkpoint?)", e);
            }
            long expected;
            try {
                expected = Math.addExact(HEADER_BYTES, Math.multiplyExact(Float.BYTES, floatCount(config)));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("llama2.c checkpoint " + path + " has a header " + config
                        + " that declares more than 2^63 bytes of weights: not a legacy llama2.c checkpoint", e);
            }
            if (size != expected) {
                throw new IllegalArgumentException("llama2.c checkpoint " + path + " has " + size + " bytes but its header "
                        + config + " needs exactly " + expected + (size < expected ? ": the file is truncated"
                        : ": the file has " + (size - expected) + " extra bytes (not a legacy llama2.c checkpoint?)"));
            }
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (Section s : sections(config)) {
                for (String name : s.names(config)) {
                    long count = count(s.shape);
                    if (count > Integer.MAX_VALUE / Float.BYTES) {
                        throw new IllegalArgumentException("Tensor '" + name + "' of " + path + " has " + count
                                + " values, more than one Java array holds");
                    }
                    float[] values = new float[(int) count];
                    readBytes(channel, values.length * Float.BYTES).asFloatBuffer().get(values);
                    tensors.put(name, Nd4j.create(values, s.shape, 'c'));
                }
            }
            return new Llama2cCheckpoint(config, tensors);
        }
    }

    /** Writes the legacy format, byte-identical to the file this checkpoint was read from when unchanged. */
    public void write(Path path) throws IOException {
        write(path, Map.of());
    }

    /**
     * Writes this checkpoint with some tensors replaced (same names and shapes), as {@code withTensors(replacements)
     * .write(path)} would, but one tensor at a time from its buffer through a small chunk: the export of a pruned model
     * holds no copy of the model (it held three, plus heap copies of each tensor).
     */
    public void write(Path path, Map<String, INDArray> replacements) throws IOException {
        Map<String, long[]> shapes = tensorShapes(config);
        replacements.forEach((name, given) -> requireShape(name, given, shapes));
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(config.dim()).putInt(config.hiddenDim()).putInt(config.layers()).putInt(config.heads())
                    .putInt(config.kvHeads()).putInt(config.sharedClassifier() ? config.vocabSize() : -config.vocabSize())
                    .putInt(config.seqLen()).flip();
            writeFully(channel, header);
            ByteBuffer chunk = ByteBuffer.allocate(WRITE_CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
                writeTensor(channel, replacements.getOrDefault(e.getKey(), e.getValue()), chunk);
            }
        }
    }

    /** A tensor's values in row-major order as fp32, read from its buffer in place when it is a plain FLOAT array. */
    private static void writeTensor(FileChannel channel, INDArray tensor, ByteBuffer chunk) throws IOException {
        boolean inPlace = tensor.dataType() == DataType.FLOAT && tensor.ordering() == 'c' && !tensor.isView();
        INDArray rows = inPlace ? tensor : tensor.castTo(DataType.FLOAT).dup('c');
        FloatBuffer values = rows.data().asNioFloat();
        values.limit((int) (rows.offset() + rows.length())).position((int) rows.offset());
        while (values.hasRemaining()) {
            int n = Math.min(WRITE_CHUNK_FLOATS, values.remaining());
            chunk.clear();
            chunk.asFloatBuffer().put(values.slice().limit(n));
            values.position(values.position() + n);
            writeFully(channel, chunk.limit(n * Float.BYTES));
        }
        if (rows != tensor) {
            rows.close(); // a copy of this tensor only; freed now rather than at the next collection
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** Tensor names in file order. */
    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }

    /** A copy of one tensor. */
    public INDArray tensor(String name) {
        INDArray t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("No checkpoint tensor '" + name + "'; known: " + tensors.keySet());
        }
        return t.dup();
    }

    /** A copy of this checkpoint with some tensors replaced (same names and shapes). */
    public Llama2cCheckpoint withTensors(Map<String, INDArray> replacements) {
        Map<String, INDArray> merged = new LinkedHashMap<>(tensors);
        merged.putAll(replacements);
        return of(config, merged);
    }

    private static INDArray checkedCopy(String name, INDArray given, long[] shape) {
        requireShape(name, given, shape);
        return given.castTo(DataType.FLOAT).dup('c');
    }

    private static void requireShape(String name, INDArray given, Map<String, long[]> shapes) {
        if (!shapes.containsKey(name)) {
            throw new IllegalArgumentException("Unknown checkpoint tensor '" + name + "'; expected one of " + shapes.keySet());
        }
        requireShape(name, given, shapes.get(name));
    }

    private static void requireShape(String name, INDArray given, long[] shape) {
        if (!Arrays.equals(given.shape(), shape)) {
            throw new IllegalArgumentException("Checkpoint tensor '" + name + "' has shape " + Arrays.toString(given.shape())
                    + ", expected " + Arrays.toString(shape));
        }
    }

    /** llama2.c's export: freq_cis[t, i] = cos/sin(t · θ^(-2i/headSize)), computed in float32 there. */
    private static INDArray ropeTable(LlamaConfig c, boolean real) {
        INDArray angles = rotaryAngles(c);
        return (real ? Transforms.cos(angles, false) : Transforms.sin(angles, false)).castTo(DataType.FLOAT);
    }

    /** RoPE angles {@code t · θ^(-2i/headSize)} as {@code [seqLen, headSize/2]} doubles, θ = 10000. */
    static INDArray rotaryAngles(LlamaConfig c) {
        int half = c.headSize() / 2;
        INDArray inverseFrequency = Transforms.exp(Nd4j.arange(0, half).castTo(DataType.DOUBLE)
                .muli(-2.0 / c.headSize() * Math.log(ROPE_THETA)), false);
        INDArray positions = Nd4j.arange(0, c.seqLen()).castTo(DataType.DOUBLE).reshape(c.seqLen(), 1);
        return positions.mmul(inverseFrequency.reshape(1, half));
    }

    private static long floatCount(LlamaConfig c) {
        long total = 0;
        for (Section s : sections(c)) {
            total = Math.addExact(total, Math.multiplyExact(count(s.shape), s.perLayer ? c.layers() : 1));
        }
        return total;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static List<Section> sections(LlamaConfig c) {
        long dim = c.dim(), kv = c.kvDim(), hidden = c.hiddenDim();
        List<Section> s = new ArrayList<>(List.of(
                new Section(LlamaNames.TOKEN_EMBEDDING, false, c.vocabSize(), dim),
                new Section(LlamaNames.RMS_ATT, true, dim),
                new Section("wq", true, dim, dim),
                new Section("wk", true, kv, dim),
                new Section("wv", true, kv, dim),
                new Section("wo", true, dim, dim),
                new Section(LlamaNames.RMS_FFN, true, dim),
                new Section("w1", true, hidden, dim),
                new Section("w2", true, dim, hidden),
                new Section("w3", true, hidden, dim),
                new Section(LlamaNames.RMS_FINAL, false, dim),
                new Section(LlamaNames.FREQ_CIS_REAL, false, c.seqLen(), c.headSize() / 2),
                new Section(LlamaNames.FREQ_CIS_IMAG, false, c.seqLen(), c.headSize() / 2)));
        if (!c.sharedClassifier()) {
            s.add(new Section(LlamaNames.CLASSIFIER, false, c.vocabSize(), dim));
        }
        return s;
    }

    /** One block of the file: a global tensor, or one tensor kind stacked over all layers. */
    private record Section(String kind, boolean perLayer, long... shape) {
        List<String> names(LlamaConfig c) {
            if (!perLayer) {
                return List.of(kind);
            }
            List<String> names = new ArrayList<>();
            for (int l = 0; l < c.layers(); l++) {
                names.add(LlamaNames.layer(l, kind));
            }
            return names;
        }
    }

    private static ByteBuffer readBytes(FileChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IllegalArgumentException("llama2.c checkpoint ended early: truncated file");
            }
        }
        return buffer.flip();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
