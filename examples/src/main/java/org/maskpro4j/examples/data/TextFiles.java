package org.maskpro4j.examples.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text files read as UTF-8, with a message that names the file and the first bad byte when they are not. */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * The whole file as a string.
     *
     * @param what how the message calls the file, such as "Text data" or "--config"
     * @throws IllegalArgumentException naming the file and the offset of its first byte that is not UTF-8
     */
    public static String readUtf8(Path file, String what) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new IllegalArgumentException(what + " " + file + " is not UTF-8 text: byte " + in.position() + " (0x"
                    + String.format("%02x", bytes[in.position()] & 0xff) + ") starts no valid UTF-8 sequence; save the file"
                    + " as UTF-8");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
