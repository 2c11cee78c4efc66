package org.maskpro4j.weights;

/**
 * Collects the native garbage that backprop leaves. SameDiff's session arrays and the gradients' buffers are freed only
 * when the Java objects owning them are collected, and a loop that backpropagates every step barely fills its small
 * heap: JavaCPP forces a collection only when its tracked bytes reach -Xmx, so the resident set grows towards twice
 * -Xmx and beyond (a LLaMA fine-tuning run: 856 → 2,491 MiB over 100 steps of 2 paragraphs; a MaskLLM run on batches
 * of 8 paragraphs: 11.6 GiB at about step 100, killed by the OOM killer). One collection every few steps frees them
 * while they are few, for a few ms against a step of about a second.
 */
public final class NativeGarbage {
    /** Steps between collections. */
    public static final int EVERY_STEPS = 4;

    private NativeGarbage() {
    }

    /** Collects after every {@link #EVERY_STEPS}th step ({@code step} counted from 1). */
    public static void collectAfter(long step) {
        if (step % EVERY_STEPS == 0) {
            System.gc();
        }
    }
}
