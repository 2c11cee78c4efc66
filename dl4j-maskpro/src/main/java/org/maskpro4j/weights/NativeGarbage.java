package org.maskpro4j.weights;

import java.lang.reflect.Method;

import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the native garbage that backprop leaves. SameDiff's session arrays and the gradients' buffers are freed only
 * when the Java objects owning them are collected, and a loop that backpropagates every step barely fills its small
 * heap: JavaCPP forces a collection only when its tracked bytes reach -Xmx, so the resident set grows towards twice
 * -Xmx and beyond (a LLaMA fine-tuning run: 856 → 2,491 MiB over 100 steps of 2 paragraphs; a MaskLLM run on batches
 * of 8 paragraphs: 11.6 GiB at about step 100, killed by the OOM killer). One collection every few steps frees them
 * while they are few, for a few ms against a step of about a second.
 *
 * <p>Batches of varying shape also free native arrays of ever other sizes, and glibc keeps the freed chunks mapped:
 * LLaMA backprop on batches of 8 paragraphs held 2.2–2.9 GiB resident where trimming the C heap ({@code malloc_trim})
 * before each collection held 1.4–1.8 GiB (60 steps, {@code LlamaBackpropMemoryTest}). JavaCPP has the call but keeps
 * it private; without it the trim is skipped, logged once.
 */
public final class NativeGarbage {
    /** Steps between collections. */
    public static final int EVERY_STEPS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(NativeGarbage.class);
    private static final Method TRIM = trimMethod();

    private NativeGarbage() {
    }

    /** Trims the C heap and collects after every {@link #EVERY_STEPS}th step ({@code step} counted from 1). */
    public static void collectAfter(long step) {
        if (step % EVERY_STEPS == 0) {
            // trim first: ND4J frees a collection's buffers on its own threads after System.gc() returns, so this
            // returns the previous cycle's frees
            trim();
            System.gc();
        }
    }

    private static void trim() {
        if (TRIM == null) {
            return;
        }
        try {
            TRIM.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JavaCPP's trimMemory failed", e);
        }
    }

    private static Method trimMethod() {
        try {
            Method m = Pointer.class.getDeclaredMethod("trimMemory");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("JavaCPP offers no trimMemory ({}); freed native memory stays with the C heap", e.toString());
            return null;
        }
    }
}
