package org.maskpro4j.examples.llama;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One minibatch of the LLaMA graph: {@code tokens} and {@code targets} {@code [B, T]} integer ids (target t is the
 * token that follows input t) and {@code lossMask} {@code [B, T]} float, 1 for scored positions and 0 for padding.
 * Build it with {@link LlamaBatches}.
 */
public record LlamaBatch(INDArray tokens, INDArray targets, INDArray lossMask) {

    public LlamaBatch {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(lossMask, "lossMask");
        if (tokens.rank() != 2 || tokens.size(1) < 1) {
            throw new IllegalArgumentException("tokens must be [batch, time] with time >= 1, got "
                    + Arrays.toString(tokens.shape()));
        }
        if (!Arrays.equals(tokens.shape(), targets.shape()) || !Arrays.equals(tokens.shape(), lossMask.shape())) {
            throw new IllegalArgumentException("tokens " + Arrays.toString(tokens.shape()) + ", targets "
                    + Arrays.toString(targets.shape()) + " and lossMask " + Arrays.toString(lossMask.shape())
                    + " must have the same [batch, time] shape");
        }
        if (tokens.dataType().isFPType() || targets.dataType().isFPType() || !lossMask.dataType().isFPType()) {
            throw new IllegalArgumentException("tokens and targets must be integer arrays and lossMask a float array, got "
                    + tokens.dataType() + ", " + targets.dataType() + ", " + lossMask.dataType());
        }
    }

    public long batchSize() {
        return tokens.size(0);
    }

    public long length() {
        return tokens.size(1);
    }

    /** Number of scored positions. */
    public long scoredTokens() {
        return Math.round(lossMask.sumNumber().doubleValue());
    }
}
