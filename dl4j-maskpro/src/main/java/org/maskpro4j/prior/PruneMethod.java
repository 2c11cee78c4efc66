package org.maskpro4j.prior;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The one-shot N:M pruning methods, with the names the command line uses. */
public enum PruneMethod {
    /** Keep the N largest |W| of each group; needs no calibration data. */
    MAGNITUDE("magnitude"),
    /** Keep the N largest |W_ij|·‖X_j‖₂ of each group (Sun et al. 2023). */
    WANDA("wanda"),
    /** SparseGPT (Frantar &amp; Alistarh 2023): OBS mask selection and weight update. */
    SPARSEGPT("sparsegpt"),
    /** SparseGPT's masks applied to the original dense weights, without its weight update (MaskPro's prior). */
    SPARSEGPT_MASK_ONLY("sparsegpt-mask");

    private final String cliName;

    PruneMethod(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public boolean needsCalibration() {
        return this != MAGNITUDE;
    }

    /** True for the SparseGPT variants, which need the full {@code K×K} input Hessian rather than column norms. */
    public boolean needsHessian() {
        return this == SPARSEGPT || this == SPARSEGPT_MASK_ONLY;
    }

    /** Parses a command-line name such as {@code "sparsegpt-mask"}; the message of a bad name lists the good ones. */
    public static PruneMethod parse(String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(java.util.Locale.ROOT);
            for (PruneMethod method : values()) {
                if (method.cliName.equals(wanted)) {
                    return method;
                }
            }
        }
        throw new IllegalArgumentException("Unknown pruning method \"" + name + "\": expected one of "
                + Arrays.stream(values()).map(PruneMethod::cliName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
