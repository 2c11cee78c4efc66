package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** A ParamWeight's private dense copy stays the user's weights through masks, restores and absorbed training. */
class ParamWeightTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private static long[] shape(GroupLayout.Kind kind) {
        return switch (kind) {
            case IN_OUT -> new long[] {12, 5};
            case OUT_IN -> new long[] {5, 12};
            case CONV2D_OIHW -> new long[] {3, 8, 2, 3};
        };
    }

    private static INDArray random(long seed, long... shape) {
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed)) {
            return Nd4j.randn(rng, shape).castTo(DataType.FLOAT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(GroupLayout.Kind.class)
    void denseStaysTheUsersWeightsThroughMasksAndRestores(GroupLayout.Kind kind) {
        INDArray given = random(1, shape(kind));
        INDArray live = given.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", kind, given.shape(), P24), live);
        assertEquals(given, w.dense());

        INDArray mask = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), 4), P24, 5);
        w.applyMask(mask);
        assertEquals(given.mul(w.layout().fromGroups(mask)), live);
        assertEquals(given, w.dense(), "applying a mask leaves the dense copy alone");

        w.restoreDense();
        assertEquals(given, live);
        assertEquals(given, w.dense());
    }

    @ParameterizedTest
    @EnumSource(GroupLayout.Kind.class)
    void absorbedTrainingUpdatesReachTheDenseCopyAndTheNextMask(GroupLayout.Kind kind) {
        INDArray given = random(2, shape(kind));
        INDArray live = given.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", kind, given.shape(), P24), live);
        INDArray mask = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), 4), P24, 6);
        w.applyMask(mask);
        INDArray update = random(3, shape(kind)).muli(0.01);
        live.addi(update);

        w.absorbLiveChanges();

        INDArray trained = given.add(update);
        assertEquals(trained, w.dense());
        assertEquals(trained.mul(w.layout().fromGroups(mask)), live, "live is the trained weights under the mask");
        w.restoreDense();
        assertEquals(trained, live);
    }
}
