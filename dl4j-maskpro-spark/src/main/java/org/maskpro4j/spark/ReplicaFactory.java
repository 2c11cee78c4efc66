package org.maskpro4j.spark;

import java.io.IOException;
import java.io.Serializable;

import org.maskpro4j.weights.MaskableModel;

/**
 * Builds an executor's model replica from the model bytes the driver broadcast once (a ModelSerializer zip, a
 * llama2.c file …). It runs on the executors, so it must serialize: capture names and settings, not models.
 */
@FunctionalInterface
public interface ReplicaFactory<B> extends Serializable {
    MaskableModel<B> build(byte[] model) throws IOException;
}
