package org.maskpro4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;

class SyntheticMlpTest {

    /** Seed 0 included: ND4J M2.1 draws differently on every generator created with seed 0, so the seed is mixed first. */
    @Test
    void testSubject_SameSeedSameBatchesAndWeights() {
        for (long seed : new long[] {0, 5}) {
            Dl4jSubject a = SyntheticMlp.subject(4, 2, seed);
            Dl4jSubject b = SyntheticMlp.subject(4, 2, seed);
            assertEquals(2, a.batches().size());
            for (int i = 0; i < 2; i++) {
                assertEquals(a.batches().get(i).getFeatures(), b.batches().get(i).getFeatures(), "seed " + seed);
            }
            assertEquals(a.forward(a.batches().get(0)), b.forward(b.batches().get(0)), "seed " + seed);
        }
        assertNotEquals(SyntheticMlp.subject(4, 1, 0).batches().get(0).getFeatures(),
                SyntheticMlp.subject(4, 1, 5).batches().get(0).getFeatures());
    }

    @Test
    void testSubject_EveryLayerCarriesTwoFour() {
        assertEquals(3, SyntheticMlp.subject(2, 1, 1).maskable(NmPattern.parse("2:4")).weights().size());
    }
}
