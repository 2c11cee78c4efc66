package org.maskpro4j.examples.models;

import java.util.Locale;
import java.util.function.Consumer;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.maskpro4j.progress.ProgressMeter;

/**
 * Reports a DL4J fit while it runs: epoch, iteration, minibatch score, rate and time left, at most once per interval
 * and once at the end, so a long training run is never silent (the demo's CNN takes minutes on a small machine).
 */
public final class TrainingProgress extends BaseTrainingListener {
    /** How often a line is written while training runs. */
    public static final long DEFAULT_INTERVAL_NANOS = 15_000_000_000L;

    private final String name;
    private final int epochs;
    private final long iterationsPerEpoch;
    private final long intervalNanos;
    private final Consumer<String> sink;
    private final ProgressMeter meter;
    private long done;
    private long lastReport = System.nanoTime();

    /**
     * @param name               what is trained, first word of every line
     * @param epochs             passes over the data
     * @param iterationsPerEpoch minibatches per pass
     * @param intervalNanos      least time between two lines (the last iteration is always reported)
     * @param sink               where lines go (a logger)
     */
    public TrainingProgress(String name, int epochs, long iterationsPerEpoch, long intervalNanos, Consumer<String> sink) {
        if (epochs < 1 || iterationsPerEpoch < 1 || intervalNanos < 0) {
            throw new IllegalArgumentException("Training progress needs epochs >= 1, iterations per epoch >= 1 and an"
                    + " interval >= 0, got " + epochs + ", " + iterationsPerEpoch + ", " + intervalNanos);
        }
        this.name = name;
        this.epochs = epochs;
        this.iterationsPerEpoch = iterationsPerEpoch;
        this.intervalNanos = intervalNanos;
        this.sink = sink;
        this.meter = new ProgressMeter(0, epochs * iterationsPerEpoch);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        done++;
        long now = System.nanoTime();
        long total = epochs * iterationsPerEpoch;
        if (now - lastReport < intervalNanos && done < total) {
            return;
        }
        lastReport = now;
        long inEpoch = (done - 1) % iterationsPerEpoch + 1;
        long currentEpoch = Math.min(epochs, (done - 1) / iterationsPerEpoch + 1);
        sink.accept(String.format(Locale.ROOT, "%s epoch %d/%d iteration %d/%d score %.4f %s", name, currentEpoch,
                epochs, inEpoch, iterationsPerEpoch, model.score(), meter.status(Math.min(done, total))));
    }
}
