/**
 * DL4J layers that carry a strict N:M mask as part of the saved model: {@link org.maskpro4j.layers.MaskProDenseLayer}
 * and {@link org.maskpro4j.layers.MaskProConv2DLayer}, the {@link org.maskpro4j.layers.WrapperWeight} view the
 * learner works through, and {@link org.maskpro4j.layers.MaskProWrapping}, which swaps them into existing networks.
 *
 * <p>DL4J writes the fully qualified class name of every layer configuration into saved models, so the names of
 * the two layer classes and this package are permanent API; a test loads a model saved by an earlier version.
 */
package org.maskpro4j.layers;
