package org.maskpro4j.examples.llama;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.maskpro4j.examples.data.TextFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Text to {@link LlamaBatch}es: paragraphs are separated by an empty line ({@code "\n\n"}; lines holding only
 * spaces stay inside their paragraph) and trimmed; each becomes BOS + its tokens, truncated to the model's
 * sequence length. A sequence of L tokens gives L − 1 scored positions (token i predicts token i + 1); shorter
 * sequences are padded at the end with token 0 and loss-mask 0.
 */
public final class LlamaBatches {
    private LlamaBatches() {
    }

    /** The non-empty, trimmed paragraphs of a UTF-8 text file. */
    public static List<String> readParagraphs(Path textFile) throws IOException {
        String text = TextFiles.readUtf8(textFile, "Text data").replace("\r\n", "\n");
        List<String> paragraphs = new ArrayList<>();
        for (String p : text.split("\n\n")) {
            String trimmed = p.strip();
            if (!trimmed.isEmpty()) {
                paragraphs.add(trimmed);
            }
        }
        return paragraphs;
    }

    /** BOS + tokens of each paragraph, truncated to {@code seqLen} tokens. */
    public static List<int[]> encode(List<String> paragraphs, Llama2cTokenizer tokenizer, int seqLen) {
        if (seqLen < 2) {
            throw new IllegalArgumentException("seqLen must be at least 2 (BOS and one scored token), got " + seqLen);
        }
        List<int[]> sequences = new ArrayList<>(paragraphs.size());
        for (String p : paragraphs) {
            int[] ids = tokenizer.encode(p, true, false);
            sequences.add(ids.length > seqLen ? Arrays.copyOf(ids, seqLen) : ids);
        }
        return sequences;
    }

    /**
     * Batches of the first {@code maxParagraphs} paragraphs of {@code textFile} (all when {@code maxParagraphs <= 0}),
     * in file order, {@code batchSize} paragraphs each (the last may be smaller).
     */
    public static List<LlamaBatch> fromText(Path textFile, Llama2cTokenizer tokenizer, int seqLen, int batchSize,
            int maxParagraphs) throws IOException {
        List<String> paragraphs = readParagraphs(textFile);
        if (maxParagraphs > 0 && paragraphs.size() > maxParagraphs) {
            paragraphs = paragraphs.subList(0, maxParagraphs);
        }
        return batches(encode(paragraphs, tokenizer, seqLen), batchSize);
    }

    /** Consecutive groups of {@code batchSize} sequences, in the given order (sequences under 2 tokens dropped). */
    public static List<LlamaBatch> batches(List<int[]> sequences, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        List<int[]> ordered = new ArrayList<>();
        for (int[] s : sequences) {
            if (s.length >= 2) {
                ordered.add(s);
            }
        }
        List<LlamaBatch> batches = new ArrayList<>();
        for (int from = 0; from < ordered.size(); from += batchSize) {
            batches.add(batch(ordered.subList(from, Math.min(ordered.size(), from + batchSize))));
        }
        return batches;
    }

    /**
     * Sequences sorted by length and grouped so that each batch holds at most {@code maxTokens} input positions
     * including padding (a longer sequence gets a batch of its own): short paragraphs share big batches, long ones
     * small ones, which keeps both padding and the number of forward calls low.
     */
    public static List<LlamaBatch> byTokenBudget(List<int[]> sequences, int maxTokens) {
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
        List<int[]> ordered = new ArrayList<>();
        for (int[] s : sequences) {
            if (s.length >= 2) {
                ordered.add(s);
            }
        }
        ordered.sort(Comparator.comparingInt(s -> s.length));
        List<LlamaBatch> batches = new ArrayList<>();
        int from = 0;
        while (from < ordered.size()) {
            int to = from + 1;
            while (to < ordered.size() && (long) (to - from + 1) * (ordered.get(to).length - 1) <= maxTokens) {
                to++;
            }
            batches.add(batch(ordered.subList(from, to)));
            from = to;
        }
        return batches;
    }

    /** One batch: inputs are each sequence without its last token, targets without its first. */
    public static LlamaBatch batch(List<int[]> sequences) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("A batch needs at least one sequence");
        }
        int time = 0;
        for (int[] s : sequences) {
            if (s.length < 2) {
                throw new IllegalArgumentException("Every sequence needs at least 2 tokens (one scored position), got "
                        + s.length);
            }
            time = Math.max(time, s.length - 1);
        }
        int b = sequences.size();
        INDArray tokens = Nd4j.zeros(DataType.INT32, b, time);
        INDArray targets = Nd4j.zeros(DataType.INT32, b, time);
        INDArray lossMask = Nd4j.zeros(DataType.FLOAT, b, time);
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            int scored = s.length - 1;
            tokens.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, scored))
                    .assign(Nd4j.createFromArray(Arrays.copyOfRange(s, 0, scored)));
            targets.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, scored))
                    .assign(Nd4j.createFromArray(Arrays.copyOfRange(s, 1, s.length)));
            lossMask.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, scored)).assign(1);
        }
        return new LlamaBatch(tokens, targets, lossMask);
    }
}
