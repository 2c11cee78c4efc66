package org.maskpro4j.maskpro;

import java.util.Iterator;

/**
 * The data seen as an endless cycle over its batches in their fixed order: {@link #at} gives the batch of a
 * step, skipping forward as needed, so a resumed run sees the batch an uninterrupted run would see at that step.
 */
final class CyclingBatches<B> {
    private final Iterable<B> data;
    private Iterator<B> it;
    private long position;

    CyclingBatches(Iterable<B> data, Iterator<B> first) {
        this.data = data;
        this.it = first;
    }

    /** The batch of {@code step}; steps must not go backwards. */
    B at(long step) {
        if (step < position) {
            throw new IllegalStateException("Batches are read forward only: step " + step + " after " + position);
        }
        B batch = null;
        while (position <= step) {
            if (!it.hasNext()) {
                it = data.iterator();
            }
            batch = it.next();
            position++;
        }
        return batch;
    }
}
