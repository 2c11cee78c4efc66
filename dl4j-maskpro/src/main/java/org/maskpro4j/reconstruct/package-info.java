/**
 * Weight reconstruction under a fixed N:M mask: the kept weights of each layer re-fitted by least squares on
 * calibration inputs, so that the pruned layer reproduces the dense layer's outputs as well as its mask allows.
 */
package org.maskpro4j.reconstruct;
