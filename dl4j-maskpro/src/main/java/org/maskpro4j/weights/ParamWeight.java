package org.maskpro4j.weights;

import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.OptionalLong;

import org.maskpro4j.nm.GroupLayout;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A maskable weight held in an array the model computes with directly (a DL4J layer parameter view or a
 * SameDiff variable's array). Masks are applied by overwriting the live array with {@code dense ⊙ mask}, so the
 * wrapped model runs its own native kernels at native speed.
 *
 * <p>FLOAT weights keep no dense copy while only strict N:M masks are applied: the live array holds the kept values, and
 * this object holds the values the current mask removes ({@code M − N} per group, in position order) plus the mask as
 * {@link KeptSets} ranks, which restores the exact original weights (4·(M − N)/M bytes per weight plus the ranks,
 * 2.09375 at 2:4 instead of 4). The first {@link #assignLive} of other weights (SparseGPT's update, a reconstruction), a
 * mask that is not strictly N:M (soft values, a group keeping other than N), or another data type switch the weight to
 * a full dense copy, the one way to keep the originals then. In compact
 * mode the live values at kept positions are the weights, so training updates there persist even unabsorbed.
 *
 * <p>Each compact mask applied reads every position the new mask removes and zeroes what training wrote there, unless
 * the model's owner declared this the {@link #soleWriter sole writer}: then only the live values at positions the new
 * mask removes and the old one kept are read, and those that change written ({@link #liveValuesRead} counts the reads).
 */
public final class ParamWeight implements MaskableWeight {
    private final String name;
    private final GroupLayout layout;
    private final INDArray live;
    private final int m;
    private final int removedPerGroup;
    /** Dense mode: the private copy of the dense weights, in group order; null in compact mode. */
    private INDArray denseGroups;
    /** Compact mode: the values the applied mask removes, {@link #removedPerGroup} per group; null while none is. */
    private float[] removed;
    /** Compact mode: the applied mask; null while the live array holds the dense weights. */
    private KeptSets applied;
    /** Dense mode: the mask last applied, in the type it came in, for {@link #absorbLiveChanges}. */
    private INDArray appliedMask;
    /** Whether only this object writes the live array ({@link #soleWriter}): removed positions then stay +0. */
    private boolean sole;
    /** Live values read by compact mask applications, absorbs and restores. */
    private long liveValuesRead;
    /** What {@link #moveGroups} loaded ahead, folded: a sink that makes those loads observable. */
    private int linesLoaded;
    /** Changed groups {@link #moveGroups} loads ahead and then moves. */
    private static final int MOVE_BATCH = 512;

    /**
     * @param live the array the model reads (a view is fine; it is written in place, never replaced)
     */
    public ParamWeight(String name, GroupLayout layout, INDArray live) {
        this.name = Objects.requireNonNull(name, "name");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.live = Objects.requireNonNull(live, "live");
        if (!java.util.Arrays.equals(live.shape(), layout.shape())) {
            throw new IllegalArgumentException("Weight '" + name + "': array shape " + java.util.Arrays.toString(live.shape())
                    + " does not match layout shape " + java.util.Arrays.toString(layout.shape()));
        }
        this.m = layout.pattern().m();
        this.removedPerGroup = m - layout.pattern().n();
        if (live.dataType() != DataType.FLOAT || layout.groupCount() * removedPerGroup > Integer.MAX_VALUE - 8) {
            this.denseGroups = layout.toGroups(live);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public GroupLayout layout() {
        return layout;
    }

    /**
     * The original dense weights: in compact mode the live array itself while no mask is applied and its memory runs in
     * group order (a one-shot prior then reads the weights without a copy of the largest), else a fresh copy rebuilt
     * from the live array and the removed values.
     */
    @Override
    public INDArray dense() {
        if (denseGroups != null) {
            return layout.asWeight(denseGroups);
        }
        INDArray inPlace = applied == null ? liveGroupsView() : null;
        return layout.asWeight(inPlace != null ? inPlace : denseGroupsNow());
    }

    @Override
    public INDArray live() {
        return live;
    }

    /** Whether the weight keeps only the values its mask removes (else a full dense copy). */
    public boolean compact() {
        return denseGroups == null;
    }

    /** Bytes this weight keeps besides the live array: the removed values and mask ranks, or the dense copy. */
    public long privateBytes() {
        if (denseGroups != null) {
            return denseGroups.length() * denseGroups.dataType().width()
                    + (appliedMask == null ? 0 : appliedMask.length() * appliedMask.dataType().width());
        }
        return (removed == null ? 0 : 4L * removed.length) + (applied == null ? 0 : applied.bytes());
    }

    /**
     * Values of the live array that compact mask applications, absorbs and restores have read so far: a whole pass
     * reads every value, a sole writer's mask only the positions it newly removes. (A weight whose memory does
     * not run in group order, see {@link #masksInPlace}, is also copied whole into group order and back per mask.)
     */
    public long liveValuesRead() {
        return liveValuesRead;
    }

    /** Turning it on zeroes, in one pass, what was written into removed positions while others could write. */
    @Override
    public void soleWriter(boolean sole) {
        if (sole && !this.sole && denseGroups == null && applied != null) {
            rewrite(applied, null, false);
        }
        this.sole = sole;
    }

    /** Compared from the applied mask's kept sets in compact mode. */
    @Override
    public OptionalLong groupsChangedFrom(KeptSets reference, long first) {
        return denseGroups == null && applied != null ? OptionalLong.of(reference.changedGroups(first, applied))
                : OptionalLong.empty();
    }

    @Override
    public void assignLive(INDArray weights) {
        toDenseMode();
        live.assign(weights);
        appliedMask = null;
    }

    @Override
    public void applyMask(INDArray groupMask) {
        requireShape(groupMask);
        // only 0/1 is checked while reading: ranking finds any group that keeps other than N
        MaskBits bits = denseGroups == null ? MaskBits.ofBinary(groupMask, m) : null;
        if (bits == null || !applyStrict(bits)) {
            applyDense(groupMask); // as given (it may hold other values than 0/1 here)
        }
    }

    /** Applies a 0/1 mask held as bits: in compact mode without any array of it. */
    @Override
    public void applyMask(MaskBits groupMask) {
        if (groupMask.groups() != layout.groupCount() || groupMask.m() != m) {
            throw new IllegalArgumentException("Weight '" + name + "': mask bits of " + groupMask.groups() + " groups of "
                    + groupMask.m() + ", expected " + layout.groupCount() + " of " + m);
        }
        if (denseGroups != null || !applyStrict(groupMask)) {
            applyDense(groupMask.toMask(ByteMasks.TYPE));
        }
    }

    /** Compact mode: applies {@code bits} where every group keeps exactly N; false (nothing changed) otherwise. */
    private boolean applyStrict(MaskBits bits) {
        KeptSets next = KeptSets.ofStrict(bits, layout.pattern());
        if (next == null) {
            return false;
        }
        if (removed == null) {
            removed = new float[(int) (layout.groupCount() * removedPerGroup)];
        }
        rewrite(next, bits, false);
        applied = next;
        return true;
    }

    /** Dense mode: the live array becomes {@code dense ⊙ groupMask}, kept in the type it came in (cast only to multiply). */
    private void applyDense(INDArray groupMask) {
        toDenseMode();
        live.assign(layout.asWeight(denseGroups.mul(groupMask.castTo(denseGroups.dataType()))));
        appliedMask = groupMask;
    }

    /**
     * Folds changes that training made to the live (masked) array back into the dense weights, so a mask applied
     * later starts from the trained weights. Entries the mask had removed keep their dense value plus whatever
     * update training gave them, as in sparse training with dense shadow weights.
     */
    public void absorbLiveChanges() {
        if (denseGroups == null) {
            if (applied != null) {
                rewrite(applied, null, true);
            }
            return;
        }
        if (appliedMask == null) {
            return;
        }
        INDArray liveGroups = layout.toGroups(live);
        INDArray masked = denseGroups.mul(appliedMask.castTo(denseGroups.dataType()));
        denseGroups.addi(liveGroups.subi(masked));
        applyMask(appliedMask);
    }

    @Override
    public void restoreDense() {
        if (denseGroups != null) {
            assignLive(layout.asWeight(denseGroups));
            return;
        }
        if (applied != null) {
            rewrite(null, null, false); // in place where the live array allows it
            applied = null;
            removed = null;
        }
    }

    private void requireShape(INDArray groupMask) {
        if (groupMask.rank() != 2 || groupMask.size(0) != layout.groupCount() || groupMask.size(1) != m) {
            throw new IllegalArgumentException("Weight '" + name + "': mask has shape "
                    + java.util.Arrays.toString(groupMask.shape()) + ", expected [" + layout.groupCount() + ", " + m + "]");
        }
    }

    /** Leaves compact mode for good: the dense weights move into a private copy. */
    private void toDenseMode() {
        if (denseGroups != null) {
            return;
        }
        denseGroups = denseGroupsNow();
        if (applied != null) {
            appliedMask = applied.toMask(ByteMasks.TYPE);
        }
        applied = null;
        removed = null;
    }

    /** The dense weights in group order, rebuilt from the live array and the removed values (a fresh array). */
    private INDArray denseGroupsNow() {
        INDArray groups = layout.toGroups(live);
        if (applied == null) {
            return groups;
        }
        FloatBuffer buffer = groups.data().asNioFloat();
        float[] row = new float[m];
        for (long g = 0; g < layout.groupCount(); g++) {
            int kept = applied.get(g);
            int base = (int) (g * m);
            buffer.get(base, row);
            int slot = (int) (g * removedPerGroup);
            for (int j = 0; j < m; j++) {
                if ((kept >>> j & 1) == 0) {
                    row[j] = removed[slot++];
                }
            }
            buffer.put(base, row);
        }
        return groups;
    }

    /**
     * Rewrites live and removed values so the live array holds {@code dense ⊙ next} ({@code next} null: all kept). With
     * {@code absorb}, what training wrote into removed positions is added to their held values first. Given
     * {@code nextBits}, the same mask as bits, this is {@link #rewriteBlocks}.
     */
    private void rewrite(KeptSets next, MaskBits nextBits, boolean absorb) {
        INDArray view = liveGroupsView();
        INDArray groups = view != null ? view : layout.toGroups(live);
        FloatBuffer buffer = groups.data().asNioFloat();
        long offset = groups.offset();
        long total = layout.groupCount();
        if (applied != null && next != null && nextBits != null && !absorb) {
            rewriteBlocks(next, nextBits, buffer, (int) offset);
        } else {
            int all = (1 << m) - 1;
            float[] rows = new float[(int) Math.min(MaskBits.READ_CHUNK, total) * m];
            for (long start = 0; start < total; start += MaskBits.READ_CHUNK) {
                int count = (int) Math.min(MaskBits.READ_CHUNK, total - start);
                int at = (int) (offset + start * m);
                buffer.get(at, rows, 0, count * m);
                liveValuesRead += (long) count * m;
                for (int c = 0; c < count; c++) {
                    long g = start + c;
                    rewriteGroup(g, applied == null ? all : applied.get(g), next == null ? all : next.get(g), rows, c * m,
                            absorb);
                }
                buffer.put(at, rows, 0, count * m);
            }
        }
        if (view == null) {
            live.assign(layout.asWeight(groups));
        }
    }

    /**
     * {@link #rewrite} from the applied mask to {@code next} (as ranks and as bits), reading and writing the live values
     * in {@code buffer} (groups from {@code offset}) in place. From one draw to the next most groups keep their sets:
     * blocks of {@value KeptSets#BLOCK} groups are compared b rank words at a time and only the groups whose ranks differ
     * move values. A {@link #soleWriter sole writer} reads nothing else; otherwise each block's removed positions are read
     * too (word by word from the bits) and zeroed where training wrote there: such unabsorbed updates are dropped, -0
     * too, so the live array holds +0 as before.
     */
    private void rewriteBlocks(KeptSets next, MaskBits nextBits, FloatBuffer buffer, int offset) {
        long total = layout.groupCount();
        long blocks = total / KeptSets.BLOCK;
        float[] cell = new float[m];
        long[] scratch = new long[layout.pattern().bitsPerGroup()];
        if (sole) {
            int[] moving = new int[MOVE_BATCH];
            int count = 0;
            for (long k = 0; k < blocks; k++) {
                for (long moved = applied.changedInBlock(next, k, scratch); moved != 0; moved &= moved - 1) {
                    moving[count++] = (int) (k * KeptSets.BLOCK + Long.numberOfTrailingZeros(moved));
                    if (count == MOVE_BATCH) {
                        moveGroups(moving, count, nextBits, buffer, offset, cell);
                        count = 0;
                    }
                }
            }
            moveGroups(moving, count, nextBits, buffer, offset, cell);
        } else {
            scanBlocks(next, nextBits, buffer, offset, scratch);
        }
        for (long g = blocks * KeptSets.BLOCK; g < total; g++) {
            if (!sole) {
                rewriteGroupAt(g, next, buffer, offset, cell);
            } else if (applied.get(g) != next.get(g)) {
                moveGroupAt(g, applied.get(g), next.get(g), buffer, offset, cell);
            }
        }
    }

    /** {@link #rewriteBlocks}' whole blocks where others may have written the removed positions. */
    private void scanBlocks(KeptSets next, MaskBits nextBits, FloatBuffer buffer, int offset, long[] scratch) {
        long blocks = layout.groupCount() / KeptSets.BLOCK;
        // a block's values are read in one copy and written back in one where any changed: per-value reads of the
        // native buffer cost about as much as the rest of the rewrite
        float[] block = new float[KeptSets.BLOCK * m];
        for (long k = 0; k < blocks; k++) {
            long first = k * KeptSets.BLOCK;
            int at = offset + (int) (first * m);
            buffer.get(at, block);
            liveValuesRead += block.length;
            boolean changed = false;
            for (long moved = applied.changedInBlock(next, k, scratch); moved != 0; moved &= moved - 1) {
                int g = Long.numberOfTrailingZeros(moved);
                rewriteGroup(first + g, applied.get(first + g), next.get(first + g), block, g * m, false);
                changed = true;
            }
            int bitWord = (int) (k * m); // a block's positions fill M whole words of bits
            for (int i = 0; i < m; i++) {
                int o = 64 * i;
                for (long z = ~nextBits.word(bitWord + i); z != 0; z &= z - 1) {
                    int e = o + Long.numberOfTrailingZeros(z);
                    if (Float.floatToRawIntBits(block[e]) != 0) { // 0 already where the group moved
                        block[e] = 0f;
                        changed = true;
                    }
                }
            }
            if (changed) {
                buffer.put(at, block);
            }
        }
    }

    /**
     * {@link #moveGroupAt} of the {@code count} groups in {@code moving} (to their sets in {@code nextBits}). The groups
     * are scattered over the weight and its removed values, so nearly every one misses the cache twice: their lines are
     * loaded first by a loop with no branch on the random sets, whose misses overlap, where the moves' branches would
     * wait for one miss after another.
     */
    private void moveGroups(int[] moving, int count, MaskBits nextBits, FloatBuffer buffer, int offset, float[] cell) {
        int loaded = 0;
        for (int i = 0; i < count; i++) {
            int g = moving[i];
            loaded ^= Float.floatToRawIntBits(buffer.get(offset + g * m)) ^ Float.floatToRawIntBits(removed[g * removedPerGroup]);
        }
        linesLoaded ^= loaded; // kept, so the loads are not optimized away
        for (int i = 0; i < count; i++) {
            int g = moving[i];
            moveGroupAt(g, applied.get(g), nextBits.get(g), buffer, offset, cell);
        }
    }

    /**
     * A {@link #soleWriter sole writer}'s group g from kept set {@code was} to {@code now} ({@code was != now}), on the live
     * values in {@code buffer} value by value: only the positions the mask newly removes are read (and zeroed), only those
     * it newly keeps written back; positions removed by both hold +0 and stay. Two bulk copies of a group through the
     * native buffer cost several times what its few values do. {@code cell} holds the group's dense values meanwhile.
     */
    private void moveGroupAt(long g, int was, int now, FloatBuffer buffer, int offset, float[] cell) {
        int all = (1 << m) - 1;
        int at = offset + (int) (g * m);
        int first = (int) (g * removedPerGroup);
        int slot = first;
        for (int z = ~was & all; z != 0; z &= z - 1, slot++) {
            cell[Integer.numberOfTrailingZeros(z)] = removed[slot];
        }
        for (int z = was & ~now; z != 0; z &= z - 1) {
            int j = Integer.numberOfTrailingZeros(z);
            cell[j] = buffer.get(at + j);
            buffer.put(at + j, 0f);
            liveValuesRead++;
        }
        for (int z = now & ~was; z != 0; z &= z - 1) {
            int j = Integer.numberOfTrailingZeros(z);
            buffer.put(at + j, cell[j]);
        }
        slot = first;
        for (int z = ~now & all; z != 0; z &= z - 1, slot++) {
            removed[slot] = cell[Integer.numberOfTrailingZeros(z)];
        }
    }

    /** {@link #rewriteGroup} of group g from the applied set to next's, on the live values in {@code buffer}. */
    private void rewriteGroupAt(long g, KeptSets next, FloatBuffer buffer, int offset, float[] cell) {
        int at = offset + (int) (g * m);
        buffer.get(at, cell);
        liveValuesRead += m;
        rewriteGroup(g, applied.get(g), next.get(g), cell, 0, false);
        buffer.put(at, cell);
    }

    /**
     * Group g from kept set {@code was} to {@code now}: its live values at {@code rows[o …]}, its removed values held here.
     * Only removed positions are visited (set bits walked, no branch per position on the random sets): those removed
     * before get their held values back, which makes the group dense, then those removed now are held aside and zeroed.
     */
    private void rewriteGroup(long g, int was, int now, float[] rows, int o, boolean absorb) {
        int all = (1 << m) - 1;
        if (was == now && !absorb) {
            for (int z = ~now & all; z != 0; z &= z - 1) {
                rows[o + Integer.numberOfTrailingZeros(z)] = 0; // unabsorbed training updates of removed positions are dropped
            }
            return;
        }
        int first = (int) (g * removedPerGroup);
        int slot = first;
        for (int z = ~was & all; z != 0; z &= z - 1, slot++) {
            int e = o + Integer.numberOfTrailingZeros(z);
            rows[e] = absorb ? removed[slot] + rows[e] : removed[slot];
        }
        slot = first;
        for (int z = ~now & all; z != 0; z &= z - 1, slot++) {
            int e = o + Integer.numberOfTrailingZeros(z);
            removed[slot] = rows[e];
            rows[e] = 0;
        }
    }

    /** Whether masks are written straight into the live array (else through a group-order copy of it). */
    boolean masksInPlace() {
        return liveGroupsView() != null;
    }

    /**
     * The live array seen as its {@code [groups, M]} matrix without a copy, where its memory already runs in group order
     * (DL4J's f-ordered dense weights, c-ordered [out, in] matrices); null otherwise.
     */
    private INDArray liveGroupsView() {
        INDArray permuted = live.permute(layout.kind().toGroupOrder());
        long[] shape = permuted.shape();
        long[] strides = permuted.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return null;
            }
            expected *= shape[i];
        }
        // a DL4J parameter view's buffer is itself a view (its length the view's, its offset into the parameters): the
        // offset is into the whole buffer, so the matrix is built on that one (without this, every layer but the first
        // was copied out and back on each mask)
        DataBuffer data = permuted.data();
        DataBuffer whole = data.originalDataBuffer() != null ? data.originalDataBuffer() : data;
        if (permuted.offset() + permuted.length() > whole.length()) {
            return null;
        }
        return Nd4j.create(whole, new long[] {layout.groupCount(), m}, new long[] {m, 1}, permuted.offset(), 'c',
                DataType.FLOAT);
    }
}
