package org.maskpro4j.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads from files that may be anyone's: a compressed entry can inflate to far more than its file's size, so what it
 * may take is decided before reading, never by what the entry says of itself.
 */
public final class BoundedRead {
    /** The largest array the JVM allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 9L;

    private BoundedRead() {
    }

    /**
     * The rest of {@code in}, read only as far as {@code limit} bytes (and one more, to tell).
     *
     * @param tooLarge the whole message of the error when there is more: which file and entry, and why the limit
     * @throws IOException with {@code tooLarge} where {@code in} holds more than {@code limit} bytes
     */
    public static byte[] atMost(InputStream in, long limit, String tooLarge) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(limit, MAX_ARRAY) + 1);
        if (bytes.length > limit) {
            throw new IOException(tooLarge);
        }
        return bytes;
    }
}
