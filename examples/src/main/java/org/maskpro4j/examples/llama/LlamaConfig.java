package org.maskpro4j.examples.llama;

/**
 * The hyperparameters of a llama2.c model, as stored in its checkpoint header.
 *
 * @param dim              width of the residual stream
 * @param hiddenDim        width of the SwiGLU feed-forward layer
 * @param layers           number of transformer blocks
 * @param heads            number of query heads
 * @param kvHeads          number of key/value heads (grouped-query attention when fewer than {@code heads})
 * @param vocabSize        vocabulary size
 * @param seqLen           longest sequence the model was trained on
 * @param sharedClassifier whether the output classifier is the token embedding (llama2.c: positive vocab size)
 */
public record LlamaConfig(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen,
        boolean sharedClassifier) {

    /** Above this, a header field is taken as garbage rather than a model this loader could hold in memory. */
    static final int MAX_DIMENSION = 1 << 20;

    public LlamaConfig {
        requireRange("dim", dim);
        requireRange("hidden_dim", hiddenDim);
        requireRange("n_layers", layers);
        requireRange("n_heads", heads);
        requireRange("n_kv_heads", kvHeads);
        requireRange("vocab_size", vocabSize);
        requireRange("seq_len", seqLen);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not a multiple of n_heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("n_heads " + heads + " is not a multiple of n_kv_heads " + kvHeads);
        }
        if ((dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("head size " + dim / heads + " (dim " + dim + " / n_heads " + heads
                    + ") must be even for rotary embeddings");
        }
    }

    private static void requireRange(String field, int value) {
        if (value <= 0 || value > MAX_DIMENSION) {
            throw new IllegalArgumentException("llama2.c header field " + field + " = " + value + " is outside 1.."
                    + MAX_DIMENSION);
        }
    }

    public int headSize() {
        return dim / heads;
    }

    /** Width of the key and value projections: {@code kvHeads · headSize}. */
    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }
}
