package org.maskpro4j.finetune;

import java.util.List;

/**
 * What masked fine-tuning did.
 *
 * @param steps               steps done in total (a resumed run counts the steps before it)
 * @param trainLosses         mean training loss of each logged window, one entry per log line
 * @param heldOut             held-out score at every evaluation point, when an evaluator was given
 * @param optimizer           the optimizer and its settings, e.g. {@code Adam(lr=0.001, ...)}
 * @param optimizerStateBytes bytes of optimizer state (Adam's two moments of every trained weight)
 * @param seconds             wall time of this run (not of the steps before a resume)
 */
public record FineTuneResult(long steps, List<Point> trainLosses, List<Point> heldOut, String optimizer,
                             long optimizerStateBytes, double seconds) {

    public FineTuneResult {
        trainLosses = List.copyOf(trainLosses);
        heldOut = List.copyOf(heldOut);
    }

    /** A value after {@code step} steps. */
    public record Point(long step, double value) {
    }
}
