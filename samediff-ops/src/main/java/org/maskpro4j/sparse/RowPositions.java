package org.maskpro4j.sparse;

/** Decodes one row's packed positions into absolute column indices. */
final class RowPositions {
    private RowPositions() {
    }

    /** Fills {@code columns} ({@code cols / M · N} long) with row {@code r}'s kept columns, ascending. */
    static void decode(NmMatrix w, int r, int[] columns) {
        byte[] positions = w.positions();
        int bits = w.bitsPerIndex();
        int mask = (1 << bits) - 1;
        int n = w.pattern().n();
        int m = w.pattern().m();
        long bit = (long) r * w.rowPositionBytes() * 8;
        int last = positions.length - 1;
        for (int k = 0; k < columns.length; k++, bit += bits) {
            int at = (int) (bit >>> 3);
            // a position of at most 4 bits spans at most two bytes
            int window = (positions[at] & 0xff) | (at < last ? (positions[at + 1] & 0xff) << 8 : 0);
            columns[k] = (k / n) * m + (window >>> (bit & 7) & mask);
        }
    }
}
