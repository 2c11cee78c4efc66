package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NmPatternTest {

    @Test
    void parsesAndCountsCombinations() {
        NmPattern p = NmPattern.parse(" 2 : 4 ");
        assertEquals(NmPattern.of(2, 4), p);
        assertEquals(6, p.combinations());
        assertEquals(3, p.bitsPerGroup());
        assertEquals(70, NmPattern.of(4, 8).combinations());
        assertEquals(7, NmPattern.of(4, 8).bitsPerGroup());
        assertEquals(12870, NmPattern.of(8, 16).combinations());
        assertEquals(14, NmPattern.of(8, 16).bitsPerGroup());
        assertEquals(0.5, p.sparsity());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2-4  | Malformed N:M pattern \"2-4\": expected text like \"2:4\"",
        "4:4  | N must satisfy 1 <= N < M",
        "0:4  | N must satisfy 1 <= N < M",
        "2:17 | M must be in 2..16",
        "9:16 | N above 8 is not supported"})
    void badPatternsAreRejectedWithMessages(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NmPattern.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void missingPatternSaysWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NmPattern.parse(null));
        assertTrue(e.getMessage().contains("expected text like \"2:4\""), e.getMessage());
    }
}
