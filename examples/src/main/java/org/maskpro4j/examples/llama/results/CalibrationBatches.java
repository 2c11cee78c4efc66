package org.maskpro4j.examples.llama.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;

/**
 * Calibration batches in which every position of every sequence is a scored row, as the Wanda and SparseGPT
 * reference code calibrates: a training batch drops each sequence's last token from the inputs (it has no target),
 * so a dummy target token is appended here and the last real token becomes an input too.
 */
public final class CalibrationBatches {
    /** The appended target; its value never matters because calibration reads inputs only. */
    static final int DUMMY_TARGET = 0;

    private CalibrationBatches() {
    }

    /**
     * @param sequences BOS-prefixed token sequences, already truncated to the model's seq_len
     * @return consecutive batches of {@code batchSize} sequences whose scored rows are all of their positions
     */
    public static List<LlamaBatch> everyPosition(List<int[]> sequences, int batchSize) {
        List<int[]> padded = new ArrayList<>(sequences.size());
        for (int[] s : sequences) {
            if (s.length == 0) {
                throw new IllegalArgumentException("Calibration sequences must hold at least BOS; got an empty one");
            }
            int[] p = Arrays.copyOf(s, s.length + 1);
            p[s.length] = DUMMY_TARGET;
            padded.add(p);
        }
        return LlamaBatches.batches(padded, batchSize);
    }
}
