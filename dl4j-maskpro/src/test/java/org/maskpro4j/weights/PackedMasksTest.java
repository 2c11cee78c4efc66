package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Packed masks read back as the BYTE masks they were given as, in order, and apply as those masks do. */
class PackedMasksTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private static INDArray mask(long groups, long seed) {
        return GumbelTopN.sample(Nd4j.zeros(DataType.FLOAT, groups, 4), P24, seed);
    }

    @Test
    void readsBackEveryMaskAsBytesInTheOrderGiven() {
        Map<String, INDArray> given = new LinkedHashMap<>();
        given.put("z", mask(77, 1)); // FLOAT
        given.put("a", mask(130, 2).castTo(DataType.BYTE));
        PackedMasks packed = PackedMasks.of(given);
        assertEquals(List.of("z", "a"), List.copyOf(packed.keySet()));
        assertEquals(2, packed.size());
        for (String name : given.keySet()) {
            INDArray back = packed.get(name);
            assertEquals(ByteMasks.TYPE, back.dataType());
            assertEquals(given.get(name).castTo(ByteMasks.TYPE), back, name);
            assertNotSame(back, packed.get(name), "each read decodes a fresh copy");
        }
        packed.forEach((name, mask) -> assertEquals(given.get(name).castTo(ByteMasks.TYPE), mask, "entry " + name));
        assertEquals(given.get("z").castTo(ByteMasks.TYPE), new LinkedHashMap<>(packed).get("z"), "copied entries");
        assertNull(packed.get("missing"));
        assertTrue(packed.containsKey("a"));
        assertSame(packed, PackedMasks.of(packed), "packing packed masks keeps them");
        assertThrows(UnsupportedOperationException.class, () -> packed.put("b", mask(3, 3)));
    }

    @Test
    void refusesMasksThatAreNotZeroOrOneNamingTheWeight() {
        INDArray soft = mask(8, 4).muli(0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PackedMasks.of(Map.of("w", soft)));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PackedMasks.of(Map.of("v", Nd4j.ones(DataType.BYTE, 2, 2, 4))));
    }

    @Test
    void appliesFromTheBitsAsTheArrayWould() {
        long[] shape = {6, 16}; // OUT_IN: 24 groups
        INDArray given = Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
        INDArray live = given.dup();
        ParamWeight w = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, shape, P24), live);
        INDArray m = mask(w.layout().groupCount(), 5);
        PackedMasks packed = PackedMasks.of(Map.of("w", m));
        PackedMasks.applyTo(w, packed);
        assertEquals(given.mul(w.layout().fromGroups(m)), live);
        assertEquals(m.castTo(ByteMasks.TYPE), PackedMasks.bitsOf(w, packed).toMask(ByteMasks.TYPE));
        assertEquals(m.castTo(ByteMasks.TYPE), PackedMasks.bitsOf(w, Map.of("w", m)).toMask(ByteMasks.TYPE), "unpacked");
        w.restoreDense();
        assertEquals(given, live);
        assertThrows(IllegalArgumentException.class, () -> PackedMasks.applyTo(w, PackedMasks.of(Map.of("v", m))));
    }
}
