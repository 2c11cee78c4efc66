package org.maskpro4j.maskllm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.maskpro4j.testing.SmallMlp;

class CandidateGatesTest {

    private static MultiLayerNetworkModel model(NmPattern pattern) {
        return new MultiLayerNetworkModel(SmallMlp.trainedMlp(7, DataType.FLOAT), pattern, WeightSelection.all());
    }

    /** Share of groups whose rows of {@code a} and {@code b} are equal. */
    private static double sameRows(INDArray a, INDArray b) {
        INDArray diff = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE));
        return 1 - diff.muli(diff).sum(1).gt(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    @Test
    void priorShiftsEachCandidateByItsOverlapTimesTheGateSpread() {
        for (NmPattern p : List.of(NmPattern.of(2, 4), NmPattern.of(4, 8))) {
            MultiLayerNetworkModel m = model(p);
            List<MaskableWeight> weights = m.weights();
            Map<String, INDArray> prior = new MagnitudePrior().masks(m, List.of());
            CandidateGates plain = CandidateGates.initialise(p, weights, 0.01, 5, null, 3);
            CandidateGates primed = CandidateGates.initialise(p, weights, 0.01, 5, prior, 3);
            double std = plain.gates().stdNumber().doubleValue();
            assertEquals(0.01, std, 0.001, "initial gates must be N(0, 0.01²)");
            assertEquals(0, plain.gates().meanNumber().doubleValue(), 0.002);
            for (int i = 0; i < weights.size(); i++) {
                INDArray before = plain.slice(plain.gates(), i);
                // torch's gate.std() is the unbiased estimate; written out here
                double n = before.length();
                double mean = before.meanNumber().doubleValue();
                double sigma = Math.sqrt(before.sub(mean).muli(before.sub(mean)).sumNumber().doubleValue() / (n - 1));
                INDArray overlap = prior.get(weights.get(i).name()).castTo(plain.gates().dataType()).mmul(plain.candidates().transpose());
                INDArray expected = before.add(overlap.sub(p.n() / 2.0).muli(sigma * 3));
                INDArray actual = primed.slice(primed.gates(), i);
                assertEquals(0, expected.sub(actual).amaxNumber().doubleValue(), 1e-6, weights.get(i).name());
            }
            INDArray priorAll = Nd4j.concat(0, weights.stream().map(w -> prior.get(w.name())).toArray(INDArray[]::new));
            double agree3 = sameRows(primed.winnerMask(), priorAll);
            double agree10 = sameRows(CandidateGates.initialise(p, weights, 0.01, 5, prior, 10).winnerMask(), priorAll);
            double agree0 = sameRows(plain.winnerMask(), priorAll);
            System.out.printf("%s: argmax of the initial gates equals the prior in %.1f%% of groups at strength 3,"
                    + " %.1f%% at strength 10, %.1f%% without prior%n", p, 100 * agree3, 100 * agree10, 100 * agree0);
            // with σ = 0.01 the prior's margin (strength·σ per differing position) is about 2 noise sds: most, not all
            assertTrue(agree3 > 0.75 && agree3 < 1, p + " strength 3: " + agree3);
            assertEquals(1.0, agree10, p + " strength 10 must put every group's argmax on the prior");
            assertTrue(agree0 < 0.5, p + " without a prior: " + agree0);
        }
    }

    /** Seed 0, the default, too: ND4J M2.1's generator made with seed 0 draws differently every time. */
    @Test
    void sameSeedGivesSameGatesSeedZeroIncluded() {
        NmPattern p = NmPattern.of(2, 4);
        MultiLayerNetworkModel m = model(p);
        for (long seed : new long[] {0, 7}) {
            INDArray first = CandidateGates.initialise(p, m.weights(), 0.01, seed, null, 0).gates();
            assertEquals(first, CandidateGates.initialise(p, m.weights(), 0.01, seed, null, 0).gates(), "seed " + seed);
        }
        assertNotEquals(CandidateGates.initialise(p, m.weights(), 0.01, 0, null, 0).gates(),
                CandidateGates.initialise(p, m.weights(), 0.01, 7, null, 0).gates());
    }

    @Test
    void winnerMaskIsTheCandidateWithTheLargestGate() {
        NmPattern p = NmPattern.of(4, 8);
        MultiLayerNetworkModel m = model(p);
        CandidateGates g = CandidateGates.initialise(p, m.weights(), 0.01, 1, null, 0);
        long groups = g.groupCount();
        long k = g.candidateCount();
        assertEquals(70, k);
        INDArray winners = Nd4j.create(DataType.INT, groups);
        for (long row = 0; row < groups; row++) {
            long candidate = (row * 13) % k;
            g.gates().putScalar(row, candidate, 1.0);
            winners.putScalar(row, candidate);
        }
        INDArray mask = g.winnerMask();
        assertArrayEquals(new long[] {groups, 8}, mask.shape());
        for (long row = 0; row < groups; row++) {
            assertEquals(g.candidates().getRow(winners.getLong(row)), mask.getRow(row), "group " + row);
        }
        Map<String, INDArray> split = g.split(mask);
        assertEquals(m.weights().get(0).layout().groupCount(), split.get("hidden/W").size(0));
    }

    @Test
    void badPriorsAreRefusedByName() {
        NmPattern p = NmPattern.of(2, 4);
        MultiLayerNetworkModel m = model(p);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> CandidateGates.initialise(p, m.weights(), 0.01, 1, Map.of(), 3));
        assertTrue(missing.getMessage().contains("hidden/W"), missing.getMessage());
        Map<String, INDArray> wrongShape = new java.util.HashMap<>(new MagnitudePrior().masks(m, List.of()));
        wrongShape.put("out/W", Nd4j.ones(DataType.FLOAT, 3, 4));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> CandidateGates.initialise(p, m.weights(), 0.01, 1, wrongShape, 3));
        assertTrue(shape.getMessage().contains("out/W") && shape.getMessage().contains("[3, 4]"), shape.getMessage());
    }
}
