package org.maskpro4j.cli;

import java.util.TreeSet;

import org.maskpro4j.cli.LabelledData.Part;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain text as a DL4J character-level sequence model (an LSTM under an RnnOutputLayer) reads it: non-overlapping
 * sequences of {@value #LENGTH} characters, one-hot over the text's sorted character set, in DL4J's [batch,
 * characters, time] layout, each step labelled with the character that follows it. Training sequences come from the
 * text's first 90 %, held-out ones from its last 10 % (the usual split of char-RNN corpora); a text given with
 * {@code --valid} is used from its first character.
 */
final class CharSequences {
    static final int LENGTH = 100;
    private static final double TRAIN_SHARE = 0.9;

    private CharSequences() {
    }

    /**
     * Each character's position in the text's sorted character set (the char-RNN scripts' convention), indexed by the
     * character; the set must have as many characters as the model's input.
     */
    static int[] characterIndex(String text, long vocabularySize, Object source) {
        TreeSet<Character> vocabulary = new TreeSet<>();
        text.chars().forEach(c -> vocabulary.add((char) c));
        if (vocabulary.size() != vocabularySize) {
            throw new UserError("The text " + source + " has " + vocabulary.size() + " distinct characters but the model's"
                    + " input has " + vocabularySize + ": use the text the model was trained on");
        }
        int[] index = new int[Character.MAX_VALUE + 1];
        int i = 0;
        for (char c : vocabulary) {
            index[c] = i++;
        }
        return index;
    }

    static org.nd4j.linalg.dataset.DataSet read(String text, Part part, int maxSequences, long vocabularySize, String source) {
        int[] index = characterIndex(text, vocabularySize, source);
        int split = (int) (text.length() * TRAIN_SHARE);
        int first = part == Part.HELD_OUT ? split : 0;
        // training sequences end before the held-out part, so no held-out character is ever a training target
        int end = part == Part.TRAIN ? split : text.length();
        int count = Math.min(maxSequences, (end - first - 1) / LENGTH);
        if (count <= 0) {
            throw new UserError("The text " + source + " is too short for " + LENGTH + "-character sequences");
        }
        INDArray x = Nd4j.zeros(DataType.FLOAT, count, vocabularySize, LENGTH);
        INDArray y = Nd4j.zeros(DataType.FLOAT, count, vocabularySize, LENGTH);
        for (int n = 0; n < count; n++) {
            int offset = first + n * LENGTH;
            for (int t = 0; t < LENGTH; t++) {
                x.putScalar(n, index[text.charAt(offset + t)], t, 1);
                y.putScalar(n, index[text.charAt(offset + t + 1)], t, 1);
            }
        }
        return new org.nd4j.linalg.dataset.DataSet(x, y);
    }
}
