package org.maskpro4j.nm;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link GumbelNoise} in the Vector API's widest double lanes; only loaded when jdk.incubator.vector is present. */
final class VectorGumbelNoise extends GumbelNoise {
    private static final VectorSpecies<Double> LANES = DoubleVector.SPECIES_PREFERRED;

    @Override
    void transform(double[] values, int length) {
        int i = 0;
        for (int bound = LANES.loopBound(length); i < bound; i += LANES.length()) {
            DoubleVector.fromArray(LANES, values, i).max(GumbelTopN.U_EPS).min(1.0 - GumbelTopN.U_EPS)
                    .lanewise(VectorOperators.LOG).neg().lanewise(VectorOperators.LOG).neg().intoArray(values, i);
        }
        for (; i < length; i++) {
            values[i] = scalar(values[i]);
        }
    }

    @Override
    boolean vectorized() {
        return true;
    }
}
