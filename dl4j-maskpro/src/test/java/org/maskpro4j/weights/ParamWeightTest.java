package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

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

    /**
     * Compact mode over many masks on a DL4J-like parameter view (an f-ordered [in, out] view into a larger flat
     * buffer, written in place) and on a c-ordered conv weight (the copy path): the live array is always dense ⊙ mask,
     * the private state is the removed values plus ranks, and restoring gives back the original floats bit for bit.
     */
    @ParameterizedTest
    @EnumSource(GroupLayout.Kind.class)
    void compactModeRestoresTheExactWeightsAfterManyMasks(GroupLayout.Kind kind) {
        long[] shape = shape(kind);
        INDArray given = random(4, shape);
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, given.length() + 7);
        INDArray live = kind == GroupLayout.Kind.IN_OUT
                ? flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + given.length())).reshape('f', shape)
                : given.dup();
        live.assign(given);
        if (kind == GroupLayout.Kind.IN_OUT) {
            assertEquals(given.getFloat(1, 0), flat.getFloat(0, 4), "live is a view into the flat buffer, as in DL4J");
        }
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", kind, shape, P24), live);
        assertEquals(true, w.compact());
        assertEquals(0, w.privateBytes(), "no copy while the weights are dense");
        assertEquals(given, w.dense(), "unmasked: the live weights");
        for (int i = 0; i < 6; i++) {
            INDArray mask = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), 4), P24, 40 + i);
            if (i % 3 == 2) {
                w.applyMask(MaskBits.of(mask)); // the compact path a MaskPro step takes
            } else {
                w.applyMask(i % 2 == 0 ? mask : mask.castTo(DataType.BYTE));
            }
            assertEquals(given.mul(w.layout().fromGroups(mask)), live, "mask " + i);
            assertEquals(given, w.dense(), "dense() rebuilds the originals");
        }
        assertEquals(true, w.compact());
        long weights = given.length();
        long groups = w.layout().groupCount();
        assertEquals(4 * weights / 2 + 8 * ((3 * groups + 63) / 64), w.privateBytes(), "removed values + 3 bits per group");
        w.restoreDense();
        assertEquals(0, java.util.Arrays.compare(given.dup().data().asFloat(), live.dup().data().asFloat()),
                "restored bit for bit");
        assertEquals(0, flat.getFloat(0, 0), "nothing written outside the view");
        assertEquals(0, flat.getFloat(0, flat.length() - 1), "nothing written outside the view");
    }

    /**
     * Compact mode through many random masks of each pattern on a weight of more than one read chunk (whole blocks of
     * ranks and a tail): each next mask redraws a few groups (most blocks unchanged), every tenth all of them, every fifth
     * step absorbs a training update first. The live array is always the dense weights under the mask, the state stays
     * removed values plus ranks, and restoring gives the dense weights bit for bit.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2:4", "4:8", "8:16", "1:4", "3:4"})
    void compactModeRestoresTheExactWeightsAfterManyRandomMasksOfEachPattern(String text) {
        NmPattern p = NmPattern.parse(text);
        int m = p.m();
        long groups = MaskBits.READ_CHUNK + 3 * KeptSets.BLOCK + 17;
        long[] shape = {groups / 67 + 1, 67L * m}; // OUT_IN rows of 67 groups: written in place
        groups = shape[0] * 67;
        INDArray given = random(20, shape);
        INDArray live = given.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, shape, p), live);
        assertEquals(true, w.masksInPlace());
        java.util.SplittableRandom rng = new java.util.SplittableRandom(p.m() * 17 + p.n());
        int[] kept = new int[(int) groups];
        INDArray dense = given.dup();
        for (int step = 0; step < 24; step++) {
            for (int g = 0; g < groups; g++) {
                if (kept[g] == 0 || step % 10 == 9 || rng.nextInt(100) == 0) {
                    int set = 0;
                    while (Integer.bitCount(set) < p.n()) {
                        set |= 1 << rng.nextInt(m);
                    }
                    kept[g] = set;
                }
            }
            if (step % 5 == 4) {
                INDArray update = random(100 + step, shape).muli(0.01);
                live.addi(update);
                w.absorbLiveChanges();
                dense.addi(update);
            }
            INDArray mask = MaskBitsTest.mask(kept, m, DataType.BYTE);
            if (step % 2 == 0) {
                w.applyMask(mask);
            } else {
                w.applyMask(MaskBits.of(mask));
            }
            assertEquals(dense.mul(w.layout().fromGroups(mask)), live, text + " mask " + step);
        }
        assertEquals(true, w.compact());
        assertEquals(4L * groups * (m - p.n()) + 8 * ((groups * p.bitsPerGroup() + 63) / 64), w.privateBytes());
        assertEquals(dense, w.dense());
        w.restoreDense();
        assertEquals(0, Arrays.compare(dense.data().asFloat(), live.dup().data().asFloat()), "restored bit for bit");
    }

    /**
     * A sole writer ({@link ParamWeight#soleWriter}) against the default, on two copies of one weight (whole blocks of
     * ranks and a tail) through the same masks, each next one redrawing a few groups: the live arrays stay equal bit for
     * bit and restore the originals, while the default reads every live value per mask and the sole writer only the M
     * values of each group whose kept set changed. Turning it on after others wrote zeroes their writes, in one pass.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2:4", "4:8", "3:4"})
    void aSoleWriterMovesOnlyTheChangedGroupsToTheSameWeights(String text) {
        NmPattern p = NmPattern.parse(text);
        int m = p.m();
        long[] shape = {(5 * KeptSets.BLOCK + 17) / 67 + 1, 67L * m};
        int groups = (int) shape[0] * 67;
        INDArray given = random(21, shape);
        INDArray scanLive = given.dup();
        INDArray soleLive = given.dup();
        ParamWeight scan = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, shape, p), scanLive);
        ParamWeight sole = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, shape, p), soleLive);
        sole.soleWriter(true);
        long values = (long) groups * m;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5 + m);
        int[] kept = new int[groups];
        for (int step = 0; step < 10; step++) {
            if (step == 6) { // others write while the weight is not the sole writer; group g is row 0, columns g·M …
                sole.soleWriter(false);
                int three = 3 * m + Integer.numberOfTrailingZeros(~kept[3]); // removed by the applied mask
                int zero = Integer.numberOfTrailingZeros(~kept[0]);
                soleLive.putScalar(0, three, 5f);
                soleLive.putScalar(0, zero, -0f);
                long before = sole.liveValuesRead();
                sole.soleWriter(true);
                assertEquals(values, sole.liveValuesRead() - before, "turning it on reads every value once");
                assertEquals(0, Float.floatToRawIntBits(soleLive.getFloat(0, three)), "what others wrote is zeroed");
                assertEquals(0, Float.floatToRawIntBits(soleLive.getFloat(0, zero)), "-0 too");
            }
            int removedNow = 0; // positions the mask newly removes: all that a sole writer reads
            for (int g = 0; g < groups; g++) {
                if (kept[g] == 0 || rng.nextInt(50) == 0) {
                    int set = 0;
                    while (Integer.bitCount(set) < p.n()) {
                        set |= 1 << rng.nextInt(m);
                    }
                    removedNow += Integer.bitCount(kept[g] & ~set);
                    kept[g] = set;
                }
            }
            INDArray mask = MaskBitsTest.mask(kept, m, DataType.BYTE);
            long scanBefore = scan.liveValuesRead();
            long soleBefore = sole.liveValuesRead();
            scan.applyMask(MaskBits.of(mask));
            if (step % 2 == 0) {
                sole.applyMask(MaskBits.of(mask));
            } else {
                sole.applyMask(mask);
            }
            assertArrayEquals(scanLive.dup().data().asFloat(), soleLive.dup().data().asFloat(), text + " mask " + step);
            assertEquals(values, scan.liveValuesRead() - scanBefore, "the default reads every live value");
            assertEquals(step == 0 ? values : removedNow, sole.liveValuesRead() - soleBefore,
                    "the sole writer reads only the positions the mask newly removes (the first mask: all)");
        }
        // the applied kept sets against a longer reference whose groups start mid-word, a few of them moved
        KeptSets reference = new KeptSets(groups + 71, p);
        for (int g = 0; g < groups; g++) {
            reference.set(g + 70, kept[g]);
        }
        reference.set(70, kept[1]);
        reference.set(70 + groups - 1, kept[0]);
        long expected = (kept[0] != kept[1] ? 1 : 0) + (kept[groups - 1] != kept[0] ? 1 : 0);
        assertEquals(java.util.OptionalLong.of(expected), sole.groupsChangedFrom(reference, 70));
        scan.restoreDense();
        sole.restoreDense();
        assertEquals(0, Arrays.compare(given.dup().data().asFloat(), soleLive.dup().data().asFloat()), "restored bit for bit");
        assertEquals(java.util.OptionalLong.empty(), sole.groupsChangedFrom(reference, 70), "no mask applied");
    }

    /** Masks compact mode cannot hold (not strictly N:M, soft values) and assigned weights fall back to a dense copy. */
    @org.junit.jupiter.api.Test
    void fallsBackToADenseCopyWhereTheRemovedValuesCannotHoldTheOriginals() {
        INDArray given = random(5, 5, 12);
        INDArray live = given.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, given.shape(), P24), live);
        INDArray oneOfFour = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, 15, 4), NmPattern.of(1, 4), 9);
        w.applyMask(oneOfFour);
        assertEquals(false, w.compact());
        assertEquals(given.mul(w.layout().fromGroups(oneOfFour)), live);
        w.restoreDense();
        assertEquals(given, live);

        ParamWeight v = new ParamWeight("v", GroupLayout.of("v", GroupLayout.Kind.OUT_IN, given.shape(), P24), live);
        v.applyMask(GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, 15, 4), P24, 10));
        v.assignLive(given.mul(3));
        assertEquals(false, v.compact());
        assertEquals(given, v.dense(), "assigned weights do not replace the originals");
        v.restoreDense();
        assertEquals(given, live);

        // compact mode holds strict masks only: a group keeping three of four makes a dense copy
        ParamWeight u = new ParamWeight("u", GroupLayout.of("u", GroupLayout.Kind.OUT_IN, given.shape(), P24), live);
        INDArray threeKept = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, 15, 4), P24, 11);
        threeKept.putScalar(3, 0, 1);
        threeKept.putScalar(3, 1, 1);
        threeKept.putScalar(3, 2, 1);
        threeKept.putScalar(3, 3, 0);
        u.applyMask(threeKept);
        assertEquals(false, u.compact());
        assertEquals(given.mul(u.layout().fromGroups(threeKept)), live);
        u.restoreDense();
        assertEquals(given, live);
    }

    /**
     * Compact mode from one draw to a close next one (most 64-bit words of the mask equal, a few groups flipped) after
     * unabsorbed training wrote every live value, -0 included: kept positions keep what training wrote, the next mask's
     * removed positions hold +0 and restored positions the original weights.
     */
    @ParameterizedTest
    @EnumSource(GroupLayout.Kind.class)
    void closeMasksAfterUnabsorbedTrainingKeepKeptUpdatesAndZeroTheRest(GroupLayout.Kind kind) {
        long[] shape = switch (kind) {
            case IN_OUT -> new long[] {48, 64};
            case OUT_IN -> new long[] {64, 48};
            case CONV2D_OIHW -> new long[] {16, 8, 3, 4};
        };
        INDArray given = random(7, shape);
        INDArray live = given.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", kind, shape, P24), live);
        GroupLayout layout = w.layout();
        int groups = (int) layout.groupCount();
        INDArray first = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, groups, 4), P24, 8).castTo(DataType.BYTE);
        INDArray second = first.dup();
        for (int g = 5; g < groups; g += 97) { // a few groups move one kept position
            second.putRow(g, Nd4j.createFromArray(new byte[] {1, 1, 0, 0}).equals(first.getRow(g))
                    ? Nd4j.createFromArray(new byte[] {0, 1, 1, 0}) : Nd4j.createFromArray(new byte[] {1, 1, 0, 0}));
        }
        w.applyMask(first);
        INDArray update = random(9, shape).muli(0.01);
        live.addi(update);
        live.putScalar(0, -0.0f);
        INDArray trained = layout.toGroups(live).dup();
        w.applyMask(second);

        float[] now = layout.toGroups(live).dup().data().asFloat();
        float[] before = trained.data().asFloat();
        float[] originals = layout.toGroups(given).dup().data().asFloat();
        float[] a = first.castTo(DataType.FLOAT).data().asFloat();
        float[] b = second.castTo(DataType.FLOAT).data().asFloat();
        for (int i = 0; i < now.length; i++) {
            float expected = b[i] == 0 ? 0f : a[i] == 1 ? before[i] : originals[i];
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(now[i]), "position " + i);
        }
    }

    /**
     * A DL4J layer's weight after the first is a view at an offset into the network's parameters, whose buffer is itself
     * a view: masks still go straight into it, land on exactly its entries, and restore bit for bit.
     */
    @org.junit.jupiter.api.Test
    void aLaterDl4jLayersWeightIsMaskedInPlaceInTheNetworksParameters() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT).list()
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(8).nOut(16).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(16).nOut(12).build())
                        .build());
        net.init();
        INDArray live = net.getLayer(1).getParam("W");
        float[] params = net.params().dup().data().asFloat();
        INDArray given = live.dup();
        ParamWeight w = new ParamWeight("1_W", GroupLayout.of("1_W", GroupLayout.Kind.IN_OUT, live.shape(), P24), live);
        assertEquals(true, w.masksInPlace(), "no copy of the weight per mask");
        INDArray mask = GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), 4), P24, 12);
        w.applyMask(mask);
        assertEquals(given.mul(w.layout().fromGroups(mask)), net.getLayer(1).getParam("W"));
        float[] now = net.params().dup().data().asFloat();
        int first = 8 * 16 + 16; // layer 0's weight and bias come first
        int end = first + 16 * 12;
        assertArrayEquals(Arrays.copyOfRange(params, 0, first), Arrays.copyOfRange(now, 0, first), "layer 0 untouched");
        assertArrayEquals(Arrays.copyOfRange(params, end, params.length), Arrays.copyOfRange(now, end, now.length),
                "layer 1's bias untouched");
        w.restoreDense();
        assertArrayEquals(params, net.params().dup().data().asFloat(), "restored bit for bit");
    }
}
