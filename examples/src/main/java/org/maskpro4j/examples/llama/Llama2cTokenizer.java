package org.maskpro4j.examples.llama;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SentencePiece-BPE tokenizer of llama2.c ({@code tokenizer.bin}: int32 max_token_length, then per token a
 * float32 merge score, an int32 length and the token's bytes, all little-endian), encoding and decoding exactly
 * as llama2.c's {@code run.c} does.
 */
public final class Llama2cTokenizer {
    public static final int BOS = 1;
    public static final int EOS = 2;
    /** Token ids 3..258 are the byte-fallback tokens {@code <0x00>..<0xFF>}. */
    private static final int BYTE_OFFSET = 3;
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    private final byte[][] pieces;
    private final float[] scores;
    /** Pieces as ISO-8859-1 strings: one char per byte, so byte strings can be hash keys. */
    private final Map<String, Integer> ids;
    private final int[] byteValue;
    private final int spaceId;

    private Llama2cTokenizer(byte[][] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        this.ids = new HashMap<>();
        this.byteValue = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            String key = new String(pieces[i], StandardCharsets.ISO_8859_1);
            ids.putIfAbsent(key, i);
            Matcher m = BYTE_PIECE.matcher(key);
            byteValue[i] = m.matches() ? Integer.parseInt(m.group(1), 16) : -1;
        }
        if (pieces.length < BYTE_OFFSET + 256) {
            throw new IllegalArgumentException("A llama2.c tokenizer needs at least " + (BYTE_OFFSET + 256)
                    + " tokens (specials and 256 byte tokens), got " + pieces.length);
        }
        this.spaceId = ids.getOrDefault(" ", -1);
    }

    /** Reads {@code vocabSize} tokens (the model's vocab size: the file does not record it). */
    public static Llama2cTokenizer read(Path path, int vocabSize) throws IOException {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        byte[][] pieces = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        requireBytes(in, Integer.BYTES, path, 0, vocabSize);
        int maxTokenLength = in.getInt();
        for (int i = 0; i < vocabSize; i++) {
            requireBytes(in, Float.BYTES + Integer.BYTES, path, i, vocabSize);
            scores[i] = in.getFloat();
            if (!Float.isFinite(scores[i])) {
                throw new IllegalArgumentException("Tokenizer " + path + ": token " + i + " has merge score " + scores[i]
                        + "; llama2.c tokenizers hold finite scores (a damaged file?)");
            }
            int length = in.getInt();
            if (length < 0 || length > maxTokenLength) {
                throw new IllegalArgumentException("Tokenizer " + path + ": token " + i + " has length " + length
                        + " outside 0.." + maxTokenLength + " (max_token_length): not a llama2.c tokenizer.bin");
            }
            requireBytes(in, length, path, i, vocabSize);
            pieces[i] = new byte[length];
            in.get(pieces[i]);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("Tokenizer " + path + " has " + in.remaining() + " bytes after its "
                    + vocabSize + " tokens: it belongs to a model with a larger vocabulary, or is damaged; pass the"
                    + " tokenizer this model was trained with");
        }
        Llama2cTokenizer tokenizer = new Llama2cTokenizer(pieces, scores);
        if (tokenizer.spaceId < 0) {
            throw new IllegalArgumentException("Tokenizer " + path + " has no \" \" token, which llama2.c's encoder"
                    + " puts before every text: not a llama2.c (SentencePiece) tokenizer.bin");
        }
        return tokenizer;
    }

    private static void requireBytes(ByteBuffer in, int n, Path path, int token, int vocabSize) {
        if (in.remaining() < n) {
            throw new IllegalArgumentException("Tokenizer " + path + " ends inside token " + token + " of " + vocabSize
                    + ": truncated, or the vocab size does not match this tokenizer");
        }
    }

    public int vocabSize() {
        return pieces.length;
    }

    /** The raw bytes of a token. */
    public byte[] piece(int id) {
        requireId(id);
        return pieces[id].clone();
    }

    /**
     * Token ids of {@code text} as llama2.c's {@code encode}: optional BOS, a dummy-prefix space token when the
     * text is not empty, one token per code point (or its UTF-8 bytes as byte tokens when the code point is not in
     * the vocabulary), then repeatedly the merge of the adjacent pair whose merged piece scores highest (the
     * leftmost on ties) until no pair merges; optional EOS.
     */
    public int[] encode(String text, boolean bos, boolean eos) {
        int[] tokens = new int[text.length() * 4 + 3];
        int n = 0;
        if (bos) {
            tokens[n++] = BOS;
        }
        int start = n;
        if (!text.isEmpty()) {
            if (spaceId < 0) {
                throw new IllegalStateException("This tokenizer has no \" \" token for llama2.c's dummy prefix");
            }
            tokens[n++] = spaceId;
        }
        for (int offset = 0; offset < text.length(); ) {
            int codePoint = text.codePointAt(offset);
            offset += Character.charCount(codePoint);
            byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            Integer id = ids.get(new String(utf8, StandardCharsets.ISO_8859_1));
            if (id != null) {
                tokens[n++] = id;
            } else {
                for (byte b : utf8) {
                    tokens[n++] = (b & 0xFF) + BYTE_OFFSET;
                }
            }
        }
        n = start + merge(tokens, start, n - start);
        if (eos) {
            tokens[n++] = EOS;
        }
        return Arrays.copyOf(tokens, n);
    }

    /**
     * Greedy BPE on {@code tokens[from, from+count)} in place; returns the new count. Each pair's best merge is
     * cached and only the two pairs next to a merge are looked up again, which makes the same choices as llama2.c's
     * full rescan per merge at a fraction of the lookups.
     */
    private int merge(int[] tokens, int from, int count) {
        if (count < 2) {
            return count;
        }
        int[] t = Arrays.copyOfRange(tokens, from, from + count);
        int[] pairId = new int[count];
        for (int i = 0; i + 1 < count; i++) {
            pairId[i] = mergedId(t[i], t[i + 1]);
        }
        int n = count;
        while (true) {
            int best = -1;
            float bestScore = -1e10f;
            for (int i = 0; i + 1 < n; i++) {
                if (pairId[i] >= 0 && scores[pairId[i]] > bestScore) {
                    bestScore = scores[pairId[i]];
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            t[best] = pairId[best];
            System.arraycopy(t, best + 2, t, best + 1, n - best - 2);
            System.arraycopy(pairId, best + 2, pairId, best + 1, n - best - 2);
            n--;
            if (best > 0) {
                pairId[best - 1] = mergedId(t[best - 1], t[best]);
            }
            pairId[best] = best + 1 < n ? mergedId(t[best], t[best + 1]) : -1;
        }
        System.arraycopy(t, 0, tokens, from, n);
        return n;
    }

    private int mergedId(int left, int right) {
        byte[] a = pieces[left], b = pieces[right];
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return ids.getOrDefault(new String(joined, StandardCharsets.ISO_8859_1), -1);
    }

    /**
     * The bytes llama2.c prints for {@code token} after {@code prev}: the piece, without its leading space right
     * after BOS, and a raw byte for a {@code <0xXX>} token (which may be one part of a multi-byte character).
     */
    public byte[] decode(int prev, int token) {
        requireId(token);
        byte[] piece = pieces[token];
        if (prev == BOS && piece.length > 0 && piece[0] == ' ') {
            return Arrays.copyOfRange(piece, 1, piece.length);
        }
        if (byteValue[token] >= 0) {
            return new byte[] {(byte) byteValue[token]};
        }
        return piece.clone();
    }

    /**
     * The text of {@code tokens} as llama2.c prints a generation: each token decoded after its predecessor (the
     * first after BOS); a leading BOS itself prints nothing. Bytes are joined before UTF-8 decoding, so byte tokens
     * of one character come back as that character.
     */
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = BOS;
        for (int i = 0; i < tokens.length; i++) {
            if (!(i == 0 && tokens[i] == BOS)) {
                out.writeBytes(decode(prev, tokens[i]));
            }
            prev = tokens[i];
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void requireId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("Token id " + id + " is outside 0.." + (pieces.length - 1));
        }
    }
}
