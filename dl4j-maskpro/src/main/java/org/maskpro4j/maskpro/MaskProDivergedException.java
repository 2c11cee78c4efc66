package org.maskpro4j.maskpro;

/** A loss became NaN or infinite; the run stops and its last good checkpoint stays as it was. */
public final class MaskProDivergedException extends IllegalStateException {
    public MaskProDivergedException(String message) {
        super(message);
    }
}
