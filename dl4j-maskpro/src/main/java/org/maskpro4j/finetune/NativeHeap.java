package org.maskpro4j.finetune;

import java.lang.reflect.Method;

import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns the C heap's free memory to the OS ({@code malloc_trim}). Batches of varying shape free native arrays of
 * ever other sizes, and glibc keeps the freed chunks mapped, so LLaMA backprop with batches of 8 paragraphs held
 * 2.2–2.9 GiB resident where trimming every 4 steps held 1.4–1.8 GiB (60 steps, {@code LlamaBackpropMemoryTest}).
 * JavaCPP has the call but keeps it private (it trims only when it runs out of its own budget); without it this is a
 * no-op, logged once.
 */
final class NativeHeap {
    private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);
    private static final Method TRIM = trimMethod();

    private NativeHeap() {
    }

    static void trim() {
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
