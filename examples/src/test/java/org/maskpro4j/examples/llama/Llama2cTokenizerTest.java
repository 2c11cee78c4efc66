package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cTokenizerTest {
    private static Llama2cTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        if (LlamaTestData.present()) {
            tokenizer = Llama2cTokenizer.read(LlamaTestData.tokenizer(), 512);
        }
    }

    @BeforeEach
    void requireData() {
        LlamaTestData.assume();
    }

    @Test
    void encodesLikeLlama2c() {
        // ids from an independent Python port of run.c's encode(): dummy-prefix " " (410) merged into " Once" etc.
        assertArrayEquals(new int[] {403, 407, 261, 378}, tokenizer.encode("Once upon a time", false, false));
        assertArrayEquals(new int[] {1, 403, 407, 261, 378, 2}, tokenizer.encode("Once upon a time", true, true));
        assertArrayEquals(new int[] {1}, tokenizer.encode("", true, false));
        assertEquals(" Once", new String(tokenizer.piece(403), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void decodeOfEncodeGivesTheTextBack() {
        for (String text : List.of("Once upon a time, there was a little girl named Lily.",
                "\"Can I play?\" asked Tom.\nMom said yes!", "Zoë ate 3 crêpes – yum 😀", "  two leading spaces")) {
            int[] ids = tokenizer.encode(text, true, false);
            assertEquals(text, tokenizer.decode(ids), Arrays.toString(ids));
        }
    }

    @Test
    void unknownCharactersFallBackToByteTokens() {
        int[] ids = tokenizer.encode("😀", false, false);
        // " " then the four UTF-8 bytes F0 9F 98 80 as tokens byte + 3
        assertArrayEquals(new int[] {410, 0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3}, ids);
        assertArrayEquals(new byte[] {(byte) 0xF0}, tokenizer.decode(410, 0xF0 + 3));
        assertArrayEquals(new byte[] {'O', 'n', 'c', 'e'}, tokenizer.decode(Llama2cTokenizer.BOS, 403));
    }

    @Test
    void truncatedTokenizerFileIsRejected(@TempDir Path dir) throws Exception {
        byte[] bytes = Files.readAllBytes(LlamaTestData.tokenizer());
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Llama2cTokenizer.read(cut, 512));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(0, 512));
    }
}
