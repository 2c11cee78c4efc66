package org.maskpro4j.examples.llama.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.LlamaConfig;
import org.maskpro4j.examples.llama.LlamaNames;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.DenseTensor;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A llama2.c checkpoint in the compressed model file: its header, the seven linear matrices of every layer as N:M
 * (they are {@code [out, in]} already, groups along the input) and every other tensor dense.
 */
public final class CompressedLlama {
    static final String HEADER = "llama2c/header";
    private static final String TENSOR = "llama2c/";

    private CompressedLlama() {
    }

    /**
     * @param keepDense matrix kinds ({@code w2}) or names ({@code layers.0.w2}) to store dense
     * @throws IllegalArgumentException naming the matrix when one is not strictly N:M
     */
    public static NmModelFile compress(Llama2cCheckpoint checkpoint, NmPattern pattern, Collection<String> keepDense) {
        LlamaConfig c = checkpoint.config();
        ByteBuffer header = ByteBuffer.allocate(7 * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(c.dim()).putInt(c.hiddenDim()).putInt(c.layers()).putInt(c.heads()).putInt(c.kvHeads())
                .putInt(c.sharedClassifier() ? c.vocabSize() : -c.vocabSize()).putInt(c.seqLen());
        NmModelFile.Builder b = NmModelFile.builder().bytes(HEADER, header.array());
        for (String name : checkpoint.tensorNames()) {
            INDArray t = checkpoint.tensor(name);
            boolean linear = LlamaNames.layerOf(name) >= 0 && LlamaNames.MATRICES.contains(LlamaNames.kindOf(name));
            if (linear && !keepDense.contains(name) && !keepDense.contains(LlamaNames.kindOf(name))) {
                b.matrix(TENSOR + name, NmMatrix.compress(name, t, pattern));
            } else {
                b.tensor(TENSOR + name, DenseTensor.of(t));
            }
        }
        return b.build();
    }

    public static boolean holdsLlama(NmModelFile file) {
        return file.names().contains(HEADER);
    }

    public static LlamaConfig config(NmModelFile file) {
        byte[] bytes = file.bytes(HEADER);
        if (bytes.length != 7 * Integer.BYTES) {
            throw new IllegalArgumentException("Compressed llama2.c header has " + bytes.length + " bytes, expected 28");
        }
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dim = h.getInt();
        int hidden = h.getInt();
        int layers = h.getInt();
        int heads = h.getInt();
        int kvHeads = h.getInt();
        int vocab = h.getInt();
        int seqLen = h.getInt();
        return new LlamaConfig(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), seqLen, vocab > 0);
    }

    /** The N:M matrix or dense tensor stored for checkpoint tensor {@code name}. */
    static Object entry(NmModelFile file, String name) {
        return file.hasMatrix(TENSOR + name) ? file.matrix(TENSOR + name) : file.tensor(TENSOR + name);
    }

    /** The dense checkpoint (lossless: the same tensors as the one compressed). */
    public static Llama2cCheckpoint toCheckpoint(NmModelFile file) {
        LlamaConfig c = config(file);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String name : Llama2cCheckpoint.tensorShapes(c).keySet()) {
            Object e = entry(file, name);
            tensors.put(name, e instanceof NmMatrix m ? m.toDenseArray() : ((DenseTensor) e).toArray());
        }
        return Llama2cCheckpoint.of(c, tensors);
    }
}
