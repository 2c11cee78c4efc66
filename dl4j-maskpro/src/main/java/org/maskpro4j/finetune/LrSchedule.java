package org.maskpro4j.finetune;

import java.util.Arrays;
import java.util.Locale;

/** How the fine-tuning learning rate moves after warmup ({@link FineTuneConfig#learningRateAt(long)}). */
public enum LrSchedule {
    /** The peak rate until the end. */
    CONSTANT,
    /** Half a cosine from the peak rate down to 0 at the last step. */
    COSINE;

    /** The name on the command line and in checkpoints. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the known schedules */
    public static LrSchedule parse(String name) {
        for (LrSchedule s : values()) {
            if (s.cliName().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown learning-rate schedule '" + name + "'; known: "
                + Arrays.stream(values()).map(LrSchedule::cliName).toList());
    }
}
