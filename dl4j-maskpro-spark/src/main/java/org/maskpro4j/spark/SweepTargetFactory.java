package org.maskpro4j.spark;

import java.io.IOException;
import java.io.Serializable;

import org.maskpro4j.arbiter.SweepTarget;

/**
 * Builds a sweep's target (model, data, score) on an executor. It runs there, so it must serialize: capture
 * where the model and data are and how to score, not the loaded model.
 */
@FunctionalInterface
public interface SweepTargetFactory<B> extends Serializable {
    SweepTarget<B> create() throws IOException;
}
