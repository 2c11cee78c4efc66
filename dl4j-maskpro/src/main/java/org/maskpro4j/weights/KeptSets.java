package org.maskpro4j.weights;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kept positions of strict N:M groups, each as its colexicographic combination rank (the code of
 * {@code org.maskpro4j.nm.MaskCode}) in {@link NmPattern#bitsPerGroup()} bits, packed without padding: group g holds
 * bits g·b … g·b + b − 1 of the stream, bit i of the stream being bit i mod 64 of word i / 64. That is 3 bits per 2:4
 * group (3/32 byte per weight, where a bit per position takes 1/8), 7 per 4:8 group, 14 per 8:16 group; it is how the
 * policy keeps its prior m₀ and how {@link ParamWeight} remembers which values it holds aside.
 *
 * <p>Ranks and kept sets ({@code bit j} set where position j is kept) convert by lookup tables of 2^M and C(M, N)
 * entries (the colex rank of a set is its index among the N-bit integers in increasing order), and where M divides 16
 * a table of 2^16 entries ranks 16/M groups of a mask's bits at once. {@value #BLOCK} groups always fill b whole words,
 * so two streams compare that many groups at once.
 */
public final class KeptSets {
    /** Groups whose ranks fill whole words ({@link NmPattern#bitsPerGroup()} of them). */
    public static final int BLOCK = 64;

    private static final Map<NmPattern, Codebook> BOOKS = new ConcurrentHashMap<>();

    private final long groups;
    private final NmPattern pattern;
    private final Codebook book;
    private final int bits;
    private final long[] words;

    /** Every group keeping its first N positions (rank 0). */
    public KeptSets(long groups, NmPattern pattern) {
        if (groups < 0) {
            throw new IllegalArgumentException("Kept sets need groups >= 0, got " + groups);
        }
        this.pattern = java.util.Objects.requireNonNull(pattern, "pattern");
        this.bits = pattern.bitsPerGroup();
        long words = (groups * bits + 63) / 64;
        if (words > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(groups + " groups of " + pattern + " exceed one rank array: split the weights");
        }
        this.groups = groups;
        this.book = BOOKS.computeIfAbsent(pattern, Codebook::new);
        this.words = new long[(int) words];
    }

    /**
     * The kept sets of a strict 0/1 {@code mask} ({@code [groups, M]}, any numeric type).
     *
     * @throws IllegalArgumentException where an entry is not 0 or 1 or a group does not keep exactly N positions
     */
    public static KeptSets of(INDArray mask, NmPattern pattern) {
        requireWidth(mask, pattern);
        KeptSets sets = new KeptSets(mask.size(0), pattern);
        if (!sets.read(mask, 0)) {
            throw notStrict(pattern);
        }
        return sets;
    }

    /** The kept sets of {@code bits}, or null where a group does not keep exactly N positions. */
    static KeptSets ofStrict(MaskBits bits, NmPattern pattern) {
        if (bits.m() != pattern.m()) {
            throw new IllegalArgumentException("Bits of groups of " + bits.m() + " cannot hold " + pattern + " groups");
        }
        KeptSets sets = new KeptSets(bits.groups(), pattern);
        return sets.encode(bits, 0) ? sets : null;
    }

    /**
     * Sets groups {@code first …} from the rows of a 0/1 {@code mask} (read in chunks by {@link MaskBits#ofBinary});
     * false where an entry is not 0 or 1 or a group does not keep exactly N positions, the groups being undefined then.
     */
    public boolean read(INDArray mask, long first) {
        requireWidth(mask, pattern);
        if (first < 0 || first + mask.size(0) > groups) {
            throw new IllegalArgumentException("Mask of shape " + java.util.Arrays.toString(mask.shape())
                    + " does not fit groups " + first + "… of " + groups + " groups of " + pattern);
        }
        MaskBits read = MaskBits.ofBinary(mask, pattern.m()); // only 0/1: ranking finds groups keeping other than N
        return read != null && read(read, first);
    }

    /** {@link #read(INDArray, long)} of a mask held as bits (of groups of M). */
    public boolean read(MaskBits mask, long first) {
        if (mask.m() != pattern.m() || first < 0 || first + mask.groups() > groups) {
            throw new IllegalArgumentException("Mask bits of " + mask.groups() + " groups of " + mask.m()
                    + " do not fit groups " + first + "… of " + groups + " groups of " + pattern);
        }
        return encode(mask, first);
    }

    /**
     * Writes the ranks of all groups of {@code from} as groups {@code first …}; false where one keeps other than N. Where M
     * divides 64, the bits are read a word at a time and {@link Codebook#wide} ranks {@link Codebook#perLookup} groups per
     * lookup; the ranks are appended through one accumulator word.
     */
    private boolean encode(MaskBits from, long first) {
        long count = from.groups();
        int m = pattern.m();
        long bit = first * bits;
        int w = (int) (bit >>> 6);
        int fill = (int) (bit & 63);
        long acc = fill == 0 ? 0 : words[w] & (1L << fill) - 1; // groups before {@code first} stay
        int bad = 0;
        long g = 0;
        if (64 % m == 0) { // M is 2, 4, 8 or 16: a lookup ranks the groups of 16 bits, four lookups a word
            short[] wide = book.wide;
            int valueBits = book.perLookup * bits;
            int wordBits = 4 * valueBits; // at most 64, as b <= M
            int fullWords = (int) (count * m / 64);
            for (int i = 0; i < fullWords; i++) {
                long word = from.word(i);
                // a word's lookups are independent: only their joined value goes through the accumulator
                int r0 = wide[(int) word & 0xFFFF];
                int r1 = wide[(int) (word >>> 16) & 0xFFFF];
                int r2 = wide[(int) (word >>> 32) & 0xFFFF];
                int r3 = wide[(int) (word >>> 48)];
                bad |= r0 | r1 | r2 | r3; // negative for a set of other than N positions
                long value = r0 & 0xFFFFL | (r1 & 0xFFFFL) << valueBits | (r2 & 0xFFFFL) << 2 * valueBits
                        | (r3 & 0xFFFFL) << 3 * valueBits;
                acc |= value << fill;
                fill += wordBits;
                if (fill >= 64) {
                    words[w++] = acc;
                    fill -= 64;
                    acc = fill == 0 ? 0 : value >>> wordBits - fill;
                }
            }
            g = (long) fullWords * 64 / m;
        }
        short[] rankOf = book.rankOf;
        for (; g < count; g++) {
            int r = rankOf[from.get(g)];
            bad |= r;
            long rank = r & 0xFFFF;
            acc |= rank << fill;
            fill += bits;
            if (fill >= 64) {
                words[w++] = acc;
                fill -= 64;
                acc = fill == 0 ? 0 : rank >>> bits - fill;
            }
        }
        if (fill > 0) {
            words[w] = acc | words[w] & -1L << fill; // groups after the last stay
        }
        return bad >= 0;
    }

    /**
     * The groups of block k ({@value #BLOCK} groups from k·{@value #BLOCK}, all inside both) whose sets differ between
     * these and {@code other} (of the same pattern), as bit j for group k·{@value #BLOCK} + j: the block's b words
     * compared at once ({@code scratch} holds b words), and where any differs, {@link #foldToStarts} walked.
     */
    long changedInBlock(KeptSets other, long k, long[] scratch) {
        int at = (int) (k * bits);
        long any = 0;
        for (int i = 0; i < bits; i++) {
            scratch[i] = words[at + i] ^ other.words[at + i];
            any |= scratch[i];
        }
        if (any == 0) { // most blocks from one draw to the next
            return 0;
        }
        foldToStarts(scratch);
        long changed = 0;
        for (int i = 0; i < bits; i++) {
            for (long f = scratch[i]; f != 0; f &= f - 1) {
                changed |= 1L << book.group(64 * i + Long.numberOfTrailingZeros(f));
            }
        }
        return changed;
    }

    /**
     * A block's b words of rank differences (bit set where two streams differ) become, in place, the bits where a group
     * starts that differs: each group's b bits of difference are folded onto its first bit, and a group that runs on
     * into the next word is also marked by that word's part.
     */
    private void foldToStarts(long[] x) {
        Codebook c = book;
        for (int i = 0; i < bits; i++) {
            long diff = x[i];
            long folded = diff;
            for (int width = 1; width < bits; ) {
                int shift = Math.min(width, bits - width);
                folded |= folded >>> shift;
                width += shift;
            }
            x[i] = folded & c.starts[i];
            if (i > 0 && (diff & c.carried[i - 1]) != 0) {
                x[i - 1] |= 1L << c.crossing[i - 1];
            }
        }
    }

    private static void requireWidth(INDArray mask, NmPattern pattern) {
        if (mask.rank() != 2 || mask.size(1) != pattern.m()) {
            throw new IllegalArgumentException("A group mask must be [groups, " + pattern.m() + "], got shape "
                    + java.util.Arrays.toString(mask.shape()));
        }
    }

    private static IllegalArgumentException notStrict(NmPattern pattern) {
        return new IllegalArgumentException("A " + pattern + " group mask must hold only 0 and 1, " + pattern.n()
                + " ones per group");
    }

    public long groups() {
        return groups;
    }

    public NmPattern pattern() {
        return pattern;
    }

    /** Group g's colex rank. */
    int rank(long g) {
        long bit = g * bits;
        int word = (int) (bit >>> 6);
        int shift = (int) (bit & 63);
        long value = words[word] >>> shift;
        if (shift + bits > 64) {
            value |= words[word + 1] << 64 - shift;
        }
        return (int) (value & (1L << bits) - 1);
    }

    /** Group g's kept positions: bit j set where position j is kept. */
    public int get(long g) {
        return book.setOf[rank(g)];
    }

    /**
     * Sets group g's kept positions (bit j for position j).
     *
     * @throws IllegalArgumentException where {@code kept} is not a set of N of the M positions
     */
    public void set(long g, int kept) {
        int r = kept >>> pattern.m() == 0 ? book.rankOf[kept] : -1;
        if (r < 0) {
            throw new IllegalArgumentException("Kept set " + Integer.toBinaryString(kept) + " is not " + pattern.n()
                    + " of " + pattern.m() + " positions");
        }
        long bit = g * bits;
        int word = (int) (bit >>> 6);
        int shift = (int) (bit & 63);
        long field = (1L << bits) - 1;
        words[word] = words[word] & ~(field << shift) | (long) r << shift;
        if (shift + bits > 64) {
            int high = 64 - shift;
            words[word + 1] = words[word + 1] & ~(field >>> high) | (long) r >>> high;
        }
    }

    /** Word i of the rank stream: stream bits 64·i … 64·i + 63. */
    long word(int i) {
        return words[i];
    }

    /** Groups {@code first … first + count − 1} as 0/1 floats, row-major, into {@code out}. */
    public void readFloats(long first, int count, float[] out) {
        int m = pattern.m();
        for (int g = 0; g < count; g++) {
            MaskBits.spread(get(first + g), m, out, g * m);
        }
    }

    /** A fresh {@code [groups, M]} 0/1 mask of the given type (written as BYTEs a chunk at a time, then cast). */
    public INDArray toMask(DataType type) {
        return MaskBits.toMask(groups, pattern.m(), this::get, type);
    }

    /**
     * The kept set of the N largest of {@code scores[o … o + M − 1]}, ties to the lower index as
     * {@link org.maskpro4j.nm.TopN}: bit j set where position j is kept. In doubles, so that DOUBLE weights rank
     * unrounded; floats widen exactly.
     */
    public static int largest(double[] scores, int o, int m, int n) {
        int kept = 0;
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int j = 0; j < m; j++) {
                if ((kept >>> j & 1) == 0 && (best < 0 || scores[o + j] > scores[o + best])) {
                    best = j;
                }
            }
            kept |= 1 << best;
        }
        return kept;
    }

    /** These sets as bits (bit j of group g set where position j is kept). */
    public MaskBits toBits() {
        MaskBits out = new MaskBits(groups, pattern.m());
        for (long g = 0; g < groups; g++) {
            out.set(g, get(g));
        }
        return out;
    }

    /**
     * Groups in which a 0/1 mask, as {@code read} bits of the same groups, keeps other positions than these sets (a group
     * of other than N kept positions always differs).
     */
    public long changedGroups(MaskBits read) {
        if (read.groups() != groups) {
            throw new IllegalArgumentException("Mask bits of " + read.groups() + " groups cannot be compared with " + groups
                    + " groups of " + pattern);
        }
        return changedGroups(0, read);
    }

    /**
     * Groups g of {@code read} (a 0/1 mask as bits) that keep other positions than these sets' group {@code first + g}
     * (a group of other than N kept positions always differs): where every group keeps N, ranked and compared as
     * {@link #changedGroups(long, KeptSets)}.
     */
    public long changedGroups(long first, MaskBits read) {
        if (read.m() != pattern.m() || first < 0 || first + read.groups() > groups) {
            throw new IllegalArgumentException("Mask bits of " + read.groups() + " groups of " + read.m()
                    + " cannot be compared with groups " + first + "… of " + groups + " groups of " + pattern);
        }
        KeptSets other = ofStrict(read, pattern);
        if (other != null) {
            return changedGroups(first, other);
        }
        short[] rankOf = book.rankOf;
        long changed = 0;
        for (long g = 0; g < read.groups(); g++) {
            changed += rankOf[read.get(g)] != rank(first + g) ? 1 : 0;
        }
        return changed;
    }

    /**
     * Groups g of {@code other} (of the same pattern) whose set differs from these sets' group {@code first + g}:
     * {@value #BLOCK} of other's groups at a time, b words of each stream compared at once (these shifted to other's
     * alignment where {@code first} does not start a word), so a block where nothing changed costs b xors.
     */
    public long changedGroups(long first, KeptSets other) {
        if (!other.pattern.equals(pattern) || first < 0 || first + other.groups > groups) {
            throw new IllegalArgumentException(other.groups + " groups of " + other.pattern
                    + " cannot be compared with groups " + first + "… of " + groups + " groups of " + pattern);
        }
        long bit = first * bits;
        int base = (int) (bit >>> 6);
        int shift = (int) (bit & 63);
        long blocks = other.groups / BLOCK;
        long[] x = new long[bits];
        long changed = 0;
        for (long k = 0; k < blocks; k++) {
            int at = (int) (k * bits);
            long any = 0;
            for (int i = 0; i < bits; i++) {
                int w = base + at + i;
                // a shifted window's last bit lies inside these groups, so word w + 1 exists where it is read
                long mine = shift == 0 ? words[w] : words[w] >>> shift | words[w + 1] << 64 - shift;
                x[i] = mine ^ other.words[at + i];
                any |= x[i];
            }
            if (any != 0) {
                foldToStarts(x);
                for (long word : x) {
                    changed += Long.bitCount(word);
                }
            }
        }
        for (long g = blocks * BLOCK; g < other.groups; g++) {
            changed += other.rank(g) != rank(first + g) ? 1 : 0;
        }
        return changed;
    }

    /** Bytes the ranks take. */
    public long bytes() {
        return 8L * words.length;
    }

    /** The lookup tables of one pattern: a kept set's rank (−1 for sets of other than N positions) and a rank's set. */
    private static final class Codebook {
        final short[] rankOf;
        final char[] setOf;
        /** Groups {@link #wide} ranks at once: as many as fill 8 bits where M divides 8, else one. */
        final int perLookup;
        /**
         * The ranks of {@link #perLookup} consecutive groups' kept bits (group i at bits i·M …) as one value (group i's
         * rank at bits i·b …), or −1 where one of them keeps other than N.
         */
        final short[] wide;
        /** ceil(2^16 / b): (i · reciprocal) >>> 16 is i / b for every stream bit i of a block. */
        final int reciprocal;
        /** Word i of a block: the bits where a group starts. */
        final long[] starts;
        /** Word i of a block: where the group starts that runs on into word i + 1 (0 and {@link #carried} 0 if none). */
        final int[] crossing;
        /** Word i + 1 of a block: the bits of the group that started in word i. */
        final long[] carried;

        Codebook(NmPattern pattern) {
            int m = pattern.m();
            int b = pattern.bitsPerGroup();
            this.rankOf = new short[1 << m];
            this.setOf = new char[(int) pattern.combinations()];
            int rank = 0;
            for (int kept = 0; kept < 1 << m; kept++) {
                if (Integer.bitCount(kept) == pattern.n()) {
                    setOf[rank] = (char) kept; // up to 16 bits: unsigned
                    rankOf[kept] = (short) rank++;
                } else {
                    rankOf[kept] = -1;
                }
            }
            this.perLookup = 16 % m == 0 ? 16 / m : 1; // M <= 16: 16 bits wherever M divides 64
            this.wide = new short[1 << perLookup * m];
            for (int index = 0; index < wide.length; index++) {
                int value = 0;
                for (int i = 0; i < perLookup && value >= 0; i++) {
                    int r = rankOf[index >>> i * m & (1 << m) - 1];
                    value = r < 0 ? -1 : value | r << i * b;
                }
                wide[index] = (short) value;
            }
            this.reciprocal = ((1 << 16) + b - 1) / b;
            this.starts = new long[b];
            this.crossing = new int[b];
            this.carried = new long[b];
            for (int g = 0; g < BLOCK; g++) {
                int start = g * b;
                starts[start / 64] |= 1L << start % 64;
                if (start % 64 + b > 64) {
                    crossing[start / 64] = start % 64;
                    carried[start / 64] = (1L << start % 64 + b - 64) - 1;
                }
            }
        }

        /** The group of a block whose ranks hold stream bit i of the block (i below 64·b). */
        int group(int i) {
            return i * reciprocal >>> 16;
        }
    }
}
