package org.maskpro4j.progress;

import java.util.Locale;

/**
 * The progress part of a long run's log line: a bar, the share done, the rate since this run (re)started and the
 * time left, e.g. {@code [######..............] 30% 2.54 steps/s ETA 1m12s}. A resumed run counts its rate from
 * where it resumed, so the ETA is not flattered by steps done before.
 */
public final class ProgressMeter {
    private static final int WIDTH = 20;
    /** A log line at least this often, however slow a step is. */
    static final long LOG_INTERVAL_NANOS = 15_000_000_000L;

    private final long firstStep;
    private final long totalSteps;
    private final long startNanos;
    private long lastLogNanos;

    /**
     * @param firstStep  the step this run starts from (0, or where a checkpoint left off)
     * @param totalSteps the step at which the run ends
     */
    public ProgressMeter(long firstStep, long totalSteps) {
        if (totalSteps < 1 || firstStep < 0 || firstStep > totalSteps) {
            throw new IllegalArgumentException("Progress needs 0 <= firstStep <= totalSteps and totalSteps >= 1, got "
                    + firstStep + " of " + totalSteps);
        }
        this.firstStep = firstStep;
        this.totalSteps = totalSteps;
        this.startNanos = System.nanoTime();
        this.lastLogNanos = startNanos;
    }

    /**
     * Whether a progress line is due after {@code step}: every {@code every} steps, at the last step, and whenever
     * {@value #LOG_INTERVAL_NANOS} ns passed since the last line (a slow model still shows progress every ~15 s).
     * A true answer counts as a line logged now.
     */
    public boolean due(long step, long every) {
        long now = System.nanoTime();
        boolean due = step % every == 0 || step == totalSteps || now - lastLogNanos >= LOG_INTERVAL_NANOS;
        if (due) {
            lastLogNanos = now;
        }
        return due;
    }

    /** The progress text after {@code step} steps. */
    public String status(long step) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double rate = (step - firstStep) / Math.max(elapsed, 1e-9);
        return format(step, rate);
    }

    String format(long step, double stepsPerSecond) {
        double done = Math.min(1, Math.max(0, step / (double) totalSteps));
        int filled = (int) Math.round(done * WIDTH);
        String eta = stepsPerSecond > 0 ? duration((totalSteps - step) / stepsPerSecond) : "?";
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%3.0f%%  %.2f steps/s  ETA %s", 100 * done, stepsPerSecond, eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
