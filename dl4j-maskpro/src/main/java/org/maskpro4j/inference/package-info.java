/**
 * Inference of pruned DL4J models on the compressed N:M format: Dense and Output layers multiply with the
 * {@link org.maskpro4j.sparse.NmKernel}, every other layer runs in DL4J.
 */
package org.maskpro4j.inference;
