package org.maskpro4j.examples.bench;

import java.util.Locale;

/** What a memory probe runs on the model and its batches, cycling over the batches. */
public enum MemoryWorkload {
    /** Inference forwards (the baseline). */
    INFER,
    /** The forward-only MaskPro learner from a magnitude prior. */
    MASKPRO,
    /** The MaskLLM learner (backprop) from the same prior. */
    MASKLLM;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MemoryWorkload parse(String name) {
        for (MemoryWorkload w : values()) {
            if (w.cliName().equalsIgnoreCase(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("Unknown memory workload \"" + name + "\": choose infer, maskpro or maskllm");
    }
}
