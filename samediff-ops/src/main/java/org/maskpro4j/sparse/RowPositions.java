package org.maskpro4j.sparse;

/** Decodes one row's packed positions into absolute column indices. */
final class RowPositions {
    private RowPositions() {
    }

    /** What is done with one decoded row: its index, kept columns and the offset of its values. */
    @FunctionalInterface
    interface RowBody {
        void row(int r, int[] columns, int v0);
    }

    /** Decodes rows {@code [from, to)} one after the other into one reused column array. */
    static void forEachRow(NmMatrix w, int from, int to, RowBody body) {
        int kept = w.cols() / w.pattern().m() * w.pattern().n();
        int[] columns = new int[kept];
        for (int r = from; r < to; r++) {
            decode(w, r, columns);
            body.row(r, columns, r * kept);
        }
    }

    /**
     * Fills {@code columns} ({@code cols / M · N} long) with row {@code r}'s kept columns, ascending. Counters instead
     * of {@code k / N}: an integer division per weight measured slower than the whole multiply-add it feeds.
     */
    static void decode(NmMatrix w, int r, int[] columns) {
        byte[] positions = w.positions();
        int bits = w.bitsPerIndex();
        int mask = (1 << bits) - 1;
        int n = w.pattern().n();
        int m = w.pattern().m();
        int start = r * w.rowPositionBytes();
        int inGroup = 0;
        int base = 0;
        int k = 0;
        if (8 % bits == 0) {
            // whole positions per byte (1, 2 or 4 bits: M = 2, 3..4, 9..16)
            for (int i = start; k < columns.length; i++) {
                int packed = positions[i];
                for (int shift = 0; shift < 8 && k < columns.length; shift += bits) {
                    columns[k++] = base + (packed >>> shift & mask);
                    if (++inGroup == n) {
                        inGroup = 0;
                        base += m;
                    }
                }
            }
            return;
        }
        int last = positions.length - 1;
        for (long bit = (long) start * 8; k < columns.length; bit += bits) {
            int at = (int) (bit >>> 3);
            // a position of at most 4 bits spans at most two bytes
            int window = (positions[at] & 0xff) | (at < last ? (positions[at + 1] & 0xff) << 8 : 0);
            columns[k++] = base + (window >>> (bit & 7) & mask);
            if (++inGroup == n) {
                inGroup = 0;
                base += m;
            }
        }
    }
}
