/**
 * Token-by-token generation with a llama2.c model in plain Java (llama2.c's {@code run.c} with a KV cache), on dense
 * or compressed N:M weights, and the compressed llama2.c file.
 */
package org.maskpro4j.examples.llama.inference;
