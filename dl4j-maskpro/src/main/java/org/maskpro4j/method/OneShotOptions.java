package org.maskpro4j.method;

import org.maskpro4j.config.PropertiesCodec;
import org.maskpro4j.prior.CalibrationGroups;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.PruneMethod;

/**
 * Settings of the one-shot pruners (used as methods and as priors). Defaults are the SparseGPT reference's: lazy-update
 * blocks of 128 columns, 1 % dampening, and calibration in the groups the model declares (one transformer block at a
 * time for a model made of blocks, else one weight at a time).
 *
 * @param blockSize  SparseGPT's lazy-update block, in columns
 * @param dampening  SparseGPT's λ as a fraction of mean(diag H)
 * @param blockwise  true: calibrate in the model's declared groups ("block"); false: one matrix at a time ("matrix")
 */
public record OneShotOptions(int blockSize, double dampening, boolean blockwise) {
    public static final OneShotOptions DEFAULTS = new OneShotOptions(128, 0.01, true);

    /** The one text form of the one-shot options. */
    public static final PropertiesCodec<OneShotOptions, Builder> CODEC = PropertiesCodec
            .builder("One-shot options", Builder::new, Builder::build)
            .integer("blockSize", OneShotOptions::blockSize, (b, v) -> b.blockSize = v)
            .decimal("dampening", OneShotOptions::dampening, (b, v) -> b.dampening = v)
            .text("calibration", o -> o.blockwise ? "block" : "matrix", (b, v) -> b.blockwise = switch (v) {
                case "block" -> true;
                case "matrix" -> false;
                default -> throw new IllegalArgumentException("One-shot options: calibration must be block or matrix,"
                        + " got " + v);
            })
            .build();

    public OneShotOptions {
        if (blockSize < 1) {
            throw new IllegalArgumentException("One-shot options: blockSize must be >= 1, got " + blockSize);
        }
        if (!(dampening >= 0) || !Double.isFinite(dampening)) {
            throw new IllegalArgumentException("One-shot options: dampening must be a number >= 0, got " + dampening);
        }
    }

    OneShotPruner pruner(PruneMethod method) {
        return OneShotPruner.builder(method).blockSize(blockSize).dampening(dampening)
                .calibrationGroups(blockwise ? CalibrationGroups.declaredByModel() : CalibrationGroups.perWeight()).build();
    }

    /** Starts from {@link #DEFAULTS}. */
    public static final class Builder {
        private int blockSize = DEFAULTS.blockSize;
        private double dampening = DEFAULTS.dampening;
        private boolean blockwise = DEFAULTS.blockwise;

        public OneShotOptions build() {
            return new OneShotOptions(blockSize, dampening, blockwise);
        }
    }
}
