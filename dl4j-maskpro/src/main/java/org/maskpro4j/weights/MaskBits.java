package org.maskpro4j.weights;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@code [groups, M]} 0/1 mask kept as one bit per position (group g's positions are bits g·M … g·M + M − 1, bit j set
 * where position j is kept): 1/32 of a FLOAT mask, and a group's kept set is one small integer to compare or walk.
 * This is how a 0/1 mask is read and checked (chunk by chunk, word by word) before {@link KeptSets} ranks it, how a
 * policy's draw is written, applied to the weights and held for its ascent (read back as floats), and how
 * {@link PackedMasks} hold priors and results.
 */
public final class MaskBits {
    /** Groups read from an ND4J mask per chunk, so reading never copies more than a few MB at once. */
    static final int READ_CHUNK = 1 << 16;

    /** Reads eight bytes of a byte[] as one little-endian long. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The lowest bit of every byte: a 0/1 byte has no other bit set. */
    private static final long LOW_BITS = 0x0101010101010101L;

    private final long groups;
    private final int m;
    private final long[] words;

    /** All positions removed. */
    public MaskBits(long groups, int m) {
        if (groups < 0 || m < 1 || m > 32) {
            throw new IllegalArgumentException("Mask bits need groups >= 0 and M in 1..32, got " + groups + " and " + m);
        }
        long bits = groups * m;
        if ((bits + 63) / 64 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(groups + " groups of " + m + " exceed one bit array: split the weights");
        }
        this.groups = groups;
        this.m = m;
        this.words = new long[(int) ((bits + 63) / 64)];
    }

    /** The bits of a 0/1 {@code mask} ({@code [groups, M]}, any numeric type). */
    public static MaskBits of(INDArray mask) {
        MaskBits bits = ofBinary(mask, Integer.MAX_VALUE);
        if (bits == null) {
            throw new IllegalArgumentException("A group mask must hold only 0 and 1");
        }
        return bits;
    }

    /**
     * The bits of {@code mask} ({@code [groups, M]}, any numeric type), or null where an entry is not 0 or 1 or a group
     * removes more than {@code maxZeros} positions.
     */
    public static MaskBits ofBinary(INDArray mask, int maxZeros) {
        if (mask.rank() != 2) {
            throw new IllegalArgumentException("A group mask must be [groups, M], got shape "
                    + java.util.Arrays.toString(mask.shape()));
        }
        MaskBits bits = new MaskBits(mask.size(0), (int) mask.size(1));
        return bits.read(mask, 0, maxZeros) ? bits : null;
    }

    /** Sets groups {@code first …} from the rows of a 0/1 {@code mask}; false (stopping) at an entry or group that does not fit. */
    private boolean read(INDArray mask, long first, int maxZeros) {
        if (mask.size(1) != m || first < 0 || first + mask.size(0) > groups) {
            throw new IllegalArgumentException("Mask of shape " + java.util.Arrays.toString(mask.shape())
                    + " does not fit groups " + first + "… of " + groups + " groups of " + m);
        }
        long rows = mask.size(0);
        INDArray readable = readable(mask);
        if (readable.dataType() == DataType.BYTE && 64 % m == 0 && first * m % 64 == 0) {
            return readWords(readable, first, maxZeros);
        }
        ChunkReader reader = new ChunkReader(readable, (int) Math.min(READ_CHUNK, rows));
        for (long start = 0; start < rows; start += READ_CHUNK) {
            int count = (int) Math.min(READ_CHUNK, rows - start);
            if (!reader.read(start, count, maxZeros)) {
                return false;
            }
            for (int g = 0; g < count; g++) {
                set(first + start + g, reader.kept[g]);
            }
        }
        return true;
    }

    /**
     * {@link #read} of a BYTE mask whose groups start on a word: 64 bytes make one word (whole groups, as M divides 64),
     * checked and stored at once; the groups after the last whole word go through {@link #set}.
     */
    private boolean readWords(INDArray mask, long first, int maxZeros) {
        long positions = mask.size(0) * m;
        int firstWord = (int) (first * m / 64);
        long groupBits = (1L << m) - 1;
        java.nio.ByteBuffer buffer = mask.data().asNio();
        byte[] bytes = new byte[(int) Math.min((long) READ_CHUNK * m, positions)];
        for (long start = 0; start < positions; start += bytes.length) {
            int n = (int) Math.min(bytes.length, positions - start);
            buffer.get((int) (mask.offset() + start), bytes, 0, n);
            if (!binary(bytes, n)) {
                return false;
            }
            int fullWords = n / 64;
            int bad = 0;
            boolean countZeros = maxZeros < m;
            for (int w = 0; w < fullWords; w++) {
                long word = packWord(bytes, w * 64);
                for (int k = 0; countZeros && k < 64; k += m) {
                    bad |= m - Long.bitCount(word >>> k & groupBits) > maxZeros ? 1 : 0;
                }
                words[firstWord + (int) (start / 64) + w] = word;
            }
            for (int o = fullWords * 64; o < n; o += m) {
                int kept = packGroup(bytes, o);
                bad |= m - Integer.bitCount(kept) > maxZeros ? 1 : 0;
                set(first + (start + o) / m, kept);
            }
            if (bad != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the first {@code n} bytes are all 0 or 1. */
    private static boolean binary(byte[] bytes, int n) {
        long bad = 0;
        int k = 0;
        for (; k + 8 <= n; k += 8) {
            bad |= (long) LONGS.get(bytes, k) & ~LOW_BITS;
        }
        for (; k < n; k++) {
            bad |= bytes[k] & ~1;
        }
        return bad == 0;
    }

    /**
     * 64 0/1 bytes from {@code bytes[o …]} as one word, byte e at bit e: eight at a time, a little-endian long times a
     * constant moving each byte's bit into the top byte (the partial products never carry).
     */
    private static long packWord(byte[] bytes, int o) {
        long word = 0;
        for (int e = 0; e < 8; e++) {
            word |= ((long) LONGS.get(bytes, o + 8 * e) * 0x0102040810204080L) >>> 56 << 8 * e;
        }
        return word;
    }

    /** The M 0/1 bytes of one group from {@code bytes[o …]} as its kept bits. */
    private int packGroup(byte[] bytes, int o) {
        int kept = 0;
        for (int j = 0; j < m; j++) {
            kept |= (bytes[o + j] & 1) << j;
        }
        return kept;
    }

    /** Each group's kept bits from chunks of a {@link #readable} mask, with the checks of {@link #ofBinary}. */
    private static final class ChunkReader {
        private final INDArray mask;
        private final int m;
        private final byte[] bytes;
        private final float[] floats;
        final int[] kept;

        ChunkReader(INDArray readable, int chunk) {
            this.mask = readable;
            this.m = (int) readable.size(1);
            boolean asBytes = readable.dataType() == DataType.BYTE;
            this.bytes = asBytes ? new byte[chunk * m] : null;
            this.floats = asBytes ? null : new float[chunk * m];
            this.kept = new int[chunk];
        }

        /** False where an entry is not 0 or 1 or a group has more than {@code maxZeros} zeros. */
        boolean read(long first, int count, int maxZeros) {
            int n = count * m;
            int at = (int) (mask.offset() + first * m);
            int bad = 0;
            if (bytes != null) {
                mask.data().asNio().get(at, bytes, 0, n);
                for (int g = 0, o = 0; g < count; g++) {
                    int k = 0;
                    for (int j = 0; j < m; j++, o++) {
                        int v = bytes[o];
                        bad |= v & ~1;
                        k |= (v & 1) << j;
                    }
                    kept[g] = k;
                    bad |= m - Integer.bitCount(k) > maxZeros ? 1 << 8 : 0;
                }
                return bad == 0;
            }
            mask.data().asNioFloat().get(at, floats, 0, n);
            for (int g = 0, o = 0; g < count; g++) {
                int k = 0;
                for (int j = 0; j < m; j++, o++) {
                    float v = floats[o];
                    bad |= v == 1 || v == 0 ? 0 : 1;
                    k |= (v == 1 ? 1 : 0) << j;
                }
                kept[g] = k;
                bad |= m - Integer.bitCount(k) > maxZeros ? 1 : 0;
            }
            return bad == 0;
        }
    }

    /**
     * {@code matrix} itself where {@link #readRows} can read its buffer (a row-major FLOAT or BYTE matrix, views included),
     * else a FLOAT row-major copy. Reading the buffer directly also avoids ND4J M2.1's views of views, which can come back
     * without data.
     */
    public static INDArray readable(INDArray matrix) {
        boolean rowMajor = matrix.rank() == 2 && (matrix.size(0) == 1 || matrix.stride(0) == matrix.size(1))
                && (matrix.size(1) == 1 || matrix.stride(1) == 1);
        boolean type = matrix.dataType() == DataType.FLOAT || matrix.dataType() == DataType.BYTE;
        return rowMajor && type ? matrix : matrix.castTo(DataType.FLOAT).dup('c');
    }

    /** Rows {@code first …} of a {@link #readable} matrix, row-major, as floats. */
    public static void readRows(INDArray readable, long first, int rows, float[] out) {
        int cols = (int) readable.size(1);
        int n = rows * cols;
        int at = (int) (readable.offset() + first * cols);
        if (readable.dataType() == DataType.FLOAT) {
            readable.data().asNioFloat().get(at, out, 0, n);
            return;
        }
        byte[] bytes = new byte[n];
        readable.data().asNio().get(at, bytes, 0, n);
        for (int i = 0; i < n; i++) {
            out[i] = bytes[i];
        }
    }

    public long groups() {
        return groups;
    }

    public int m() {
        return m;
    }

    /** Group g's kept positions: bit j set where position j is kept. */
    public int get(long g) {
        long bit = g * m;
        int word = (int) (bit >>> 6);
        int shift = (int) (bit & 63);
        long value = words[word] >>> shift;
        if (shift + m > 64) {
            value |= words[word + 1] << (64 - shift);
        }
        return (int) (value & ((1L << m) - 1));
    }

    /** Word i of the bits: positions 64·i … 64·i + 63, one bit each. */
    public long word(int i) {
        return words[i];
    }

    /** Sets word i of the bits (see {@link #word}): for writers that pack whole words themselves. */
    public void setWord(int i, long bits) {
        words[i] = bits;
    }

    /** Sets group g's kept positions (bit j for position j). */
    public void set(long g, int kept) {
        long bit = g * m;
        int word = (int) (bit >>> 6);
        int shift = (int) (bit & 63);
        long fieldMask = (1L << m) - 1;
        long value = kept & fieldMask;
        words[word] = (words[word] & ~(fieldMask << shift)) | (value << shift);
        if (shift + m > 64) {
            int high = 64 - shift;
            words[word + 1] = (words[word + 1] & ~(fieldMask >>> high)) | (value >>> high);
        }
    }

    /**
     * Sets groups {@code first … first + count − 1} from the 0/1 floats {@code mask[0 … count·M)} (row-major). Groups from
     * {@code first} start a word and whole words are written, so writers of disjoint chunks never share one; a last
     * partial word keeps the bits after the groups.
     */
    public void writeFloats(long first, int count, float[] mask) {
        long bit = first * m;
        if ((bit & 63) != 0 || first < 0 || first + count > groups) {
            throw new IllegalArgumentException("Groups " + first + "… of " + count + " do not start a word of " + groups
                    + " groups of " + m);
        }
        int n = count * m;
        int at = (int) (bit >>> 6);
        for (int o = 0; o < n; o += 64, at++) {
            int end = Math.min(64, n - o);
            long word = 0;
            for (int k = 0; k < end; k++) {
                word |= (long) mask[o + k] << k; // exactly 0 or 1: a conversion, no branch on the random draw
            }
            words[at] = end == 64 ? word : words[at] & -1L << end | word;
        }
    }

    /** Groups {@code first … first + count − 1} as bits of their own: this where that is all, else a shifted copy. */
    public MaskBits range(long first, long count) {
        if (first < 0 || count < 0 || first + count > groups) {
            throw new IllegalArgumentException("Groups " + first + "… of " + count + " are not inside " + groups);
        }
        if (first == 0 && count == groups) {
            return this;
        }
        MaskBits out = new MaskBits(count, m);
        long from = first * m;
        long bits = count * m;
        int shift = (int) (from & 63);
        int w = (int) (from >>> 6);
        for (int i = 0; i < out.words.length; i++, w++) {
            long word = words[w] >>> shift;
            if (shift != 0 && w + 1 < words.length) {
                word |= words[w + 1] << 64 - shift;
            }
            long left = bits - 64L * i;
            out.words[i] = left >= 64 ? word : word & (1L << left) - 1;
        }
        return out;
    }

    /** Groups {@code first … first + count − 1} as 0/1 floats, row-major, into {@code out}. */
    public void readFloats(long first, int count, float[] out) {
        for (int g = 0; g < count; g++) {
            spread(get(first + g), m, out, g * m);
        }
    }

    /** A group's kept bits as M 0/1 floats at {@code out[o …]}. */
    static void spread(int kept, int m, float[] out, int o) {
        if (m == 4) { // the common case: a group's four in one lookup instead of four bit tests
            int at = kept << 2;
            out[o] = FOUR[at];
            out[o + 1] = FOUR[at + 1];
            out[o + 2] = FOUR[at + 2];
            out[o + 3] = FOUR[at + 3];
            return;
        }
        for (int j = 0; j < m; j++) {
            out[o + j] = kept >>> j & 1;
        }
    }

    /** Position j of each of the 16 4-bit kept sets as a 0/1 float, at 4·set + j. */
    private static final float[] FOUR = new float[16 * 4];

    static {
        for (int i = 0; i < FOUR.length; i++) {
            FOUR[i] = (i >>> 2) >>> (i & 3) & 1;
        }
    }

    /** A fresh {@code [groups, M]} 0/1 mask of the given type (written as BYTEs a chunk at a time, then cast). */
    public INDArray toMask(DataType type) {
        return toMask(groups, m, this::get, type);
    }

    /** A fresh {@code [groups, M]} 0/1 mask of the given type keeping {@code kept}'s positions of each group. */
    static INDArray toMask(long groups, int m, java.util.function.LongToIntFunction kept, DataType type) {
        INDArray mask = Nd4j.createUninitialized(DataType.BYTE, groups, m);
        java.nio.ByteBuffer out = mask.data().asNio();
        byte[] flags = new byte[(int) Math.min(READ_CHUNK, groups) * m];
        for (long start = 0; start < groups; start += READ_CHUNK) {
            int count = (int) Math.min(READ_CHUNK, groups - start);
            for (int g = 0; g < count; g++) {
                int set = kept.applyAsInt(start + g);
                for (int j = 0; j < m; j++) {
                    flags[g * m + j] = (byte) (set >>> j & 1);
                }
            }
            out.put((int) (start * m), flags, 0, count * m);
        }
        return type == DataType.BYTE ? mask : mask.castTo(type);
    }
}
