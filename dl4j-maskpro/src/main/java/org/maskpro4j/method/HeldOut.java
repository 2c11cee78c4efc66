package org.maskpro4j.method;

import java.util.Map;

/**
 * The held-out measurement a pipeline reports after every stage that changes the model: the caller's metrics of the
 * model as it computes now (it closes over the model and its held-out batches).
 */
@FunctionalInterface
public interface HeldOut {

    /** e.g. {"loss", "accuracy"} for a classifier or {"loss", "perplexity"} for a language model. */
    Map<String, Object> measure();

    /**
     * The lower-is-better number that compares masks: the perplexity where measured, else the loss, else the value of
     * a single-entry map.
     */
    static double score(Map<String, Object> metrics) {
        for (String key : new String[] {"perplexity", "loss", "score"}) {
            if (metrics.get(key) instanceof Number n) {
                return n.doubleValue();
            }
        }
        if (metrics.size() == 1 && metrics.values().iterator().next() instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("Held-out metrics " + metrics.keySet() + " hold no perplexity, loss or score");
    }
}
