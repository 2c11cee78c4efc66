package org.maskpro4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.LlamaConfig;
import org.maskpro4j.testing.RequiredData;
import org.maskpro4j.testing.ZipFixtures;

/**
 * Damaged and crafted files, each derived from a real one (the Fashion CNN zip, stories260K and its tokenizer,
 * the Keras char-LSTM, Fashion-MNIST), written once into a directory for the reliability suite.
 */
final class HostileFiles {
    /** A class whose deserialisation is observable: the payload a crafted {@code preprocessor.bin} carries. */
    static final class Payload implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean instantiated;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            instantiated = true;
        }
    }

    private HostileFiles() {
    }

    /** Writes every fixture into {@code dir}. */
    static void writeAll(Path dir) throws IOException {
        Path cnn = CliTestData.fashionCnn();
        withEntry(cnn, dir.resolve("payload.zip"), "preprocessor.bin", serialize(new Payload()));
        withEntry(cnn, dir.resolve("bomb.zip"), "preprocessor.bin", serialize(nestedSetBomb()));
        inflating(cnn, dir.resolve("inflate.zip"));
        nanCnn(cnn, dir.resolve("nan-weights.zip"));
        Files.writeString(dir.resolve("nan.csv"), "3," + "0.5,".repeat(783) + "NaN\n1," + "0.1,".repeat(783) + "0.1\n");
        Files.write(dir.resolve("latin1.txt"), "Once upon a time, caf\u00e9.\n\nThe end.\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("latin1.properties"), "steps=3\n# r\u00e9sum\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("garbage.fb"), pseudoRandom(4096));
        Files.writeString(dir.resolve("unknown-key.properties"), "learningrate=5\n");
        Files.createDirectories(dir.resolve("a-directory"));

        Path llama = RequiredData.shared("llama2c/stories260K.bin");
        nanLlama(llama, dir.resolve("nan-weights.bin"));
        hugeHeader(dir.resolve("huge-header.bin"));
        Files.write(dir.resolve("truncated.bin"), Arrays.copyOf(Files.readAllBytes(llama), 5000));

        Path tok = RequiredData.shared("llama2c/tok512.bin");
        tokenizers(tok, dir);

        Path h5 = RequiredData.shared("keras/sonnets_char_lstm.h5");
        Files.write(dir.resolve("truncated.h5"), Arrays.copyOf(Files.readAllBytes(h5), 64 * 1024));

        idxDirectories(dir);
        checkpoints(dir);
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    /** The classic deserialisation CPU bomb: 100 levels of sets sharing members, so hashing them takes 2^100 steps. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Set<Object> nestedSetBomb() {
        Set<Object> root = new HashSet<>();
        Set s1 = root;
        Set s2 = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Set t1 = new HashSet<>();
            Set t2 = new HashSet<>();
            t1.add("x");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    private static void withEntry(Path zip, Path out, String name, byte[] content) throws IOException {
        try (ZipFile in = new ZipFile(zip.toFile()); OutputStream os = Files.newOutputStream(out);
                ZipOutputStream z = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                z.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(z);
                }
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
    }

    /** The CNN's configuration with a coefficients.bin that inflates to 256 MiB of zeros (the zip is ~250 KB). */
    private static void inflating(Path cnn, Path out) throws IOException {
        try (ZipFile in = new ZipFile(cnn.toFile()); OutputStream os = Files.newOutputStream(out);
                ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("configuration.json"));
            try (InputStream is = in.getInputStream(in.getEntry("configuration.json"))) {
                is.transferTo(z);
            }
            z.closeEntry();
            z.putNextEntry(new ZipEntry("coefficients.bin"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        }
    }

    private static void nanCnn(Path cnn, Path out) throws IOException {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(cnn.toFile(), false);
        net.params().putScalar(0, Float.NaN);
        ModelSerializer.writeModel(net, out.toFile(), false);
    }

    /** stories260K with one NaN in layers.0.wq (after the token embedding and the attention RMS weights). */
    private static void nanLlama(Path llama, Path out) throws IOException {
        LlamaConfig c = Llama2cCheckpoint.read(llama).config();
        byte[] bytes = Files.readAllBytes(llama);
        int offset = 7 * Integer.BYTES + Float.BYTES * (c.vocabSize() * c.dim() + c.layers() * c.dim());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(offset, Float.NaN);
        Files.write(out, bytes);
    }

    /** A header of valid fields whose product overflows a long. */
    private static void hugeHeader(Path out) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(7 * Integer.BYTES + 64).order(ByteOrder.LITTLE_ENDIAN);
        int big = 1 << 20;
        b.putInt(big).putInt(big).putInt(big).putInt(1).putInt(1).putInt(big).putInt(big);
        Files.write(out, b.array());
    }

    /** Three damaged copies of a llama2.c tokenizer: no " " piece, a NaN score, trailing bytes. */
    private static void tokenizers(Path tok, Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(tok);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        int spaceAt = -1;
        int firstScore = in.position();
        while (in.remaining() >= 8) {
            in.getFloat();
            int length = in.getInt();
            if (length == 1 && bytes[in.position()] == ' ') {
                spaceAt = in.position();
            }
            in.position(in.position() + length);
        }
        byte[] noSpace = bytes.clone();
        noSpace[spaceAt] = 0x7f;
        Files.write(dir.resolve("no-space.tok"), noSpace);
        byte[] nan = bytes.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(firstScore, Float.NaN);
        Files.write(dir.resolve("nan-score.tok"), nan);
        Files.write(dir.resolve("trailing.tok"), Arrays.copyOf(bytes, bytes.length + 3));
    }

    /** Fashion-MNIST without its test labels, and with a test labels file whose first label is 200. */
    private static void idxDirectories(Path dir) throws IOException {
        Path missing = Files.createDirectories(dir.resolve("idx-missing"));
        Path label200 = Files.createDirectories(dir.resolve("idx-label200"));
        for (String name : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"}) {
            Files.createSymbolicLink(missing.resolve(name), CliTestData.FASHION.resolve(name).toAbsolutePath());
            Files.createSymbolicLink(label200.resolve(name), CliTestData.FASHION.resolve(name).toAbsolutePath());
        }
        ByteBuffer labels = ByteBuffer.allocate(8 + 10_000);
        labels.putInt(0x00000801).putInt(10_000).put((byte) 200);
        Files.write(label200.resolve("t10k-labels-idx1-ubyte"), labels.array());
    }

    /** A real MaskPro checkpoint at step 3, and one whose state says step "three". */
    private static void checkpoints(Path dir) throws IOException {
        Path ck = dir.resolve("ck3");
        CliRun.of("prune", "--model", CliTestData.fashionCnn().toString(), "--data", CliTestData.FASHION.toString(),
                "--method", "maskpro", "--prior", "magnitude", "--steps", "3", "--examples", "64", "--eval-examples", "64",
                "--checkpoint", ck.toString(), "--out", dir.resolve("ck3-out.zip").toString()).assertExit(0);
        Path real = ck.resolve(PruneGuard.CHECKPOINT_FILE);
        Path bad = Files.createDirectories(dir.resolve("ck-bad")).resolve(PruneGuard.CHECKPOINT_FILE);
        try (ZipFile in = new ZipFile(real.toFile()); OutputStream os = Files.newOutputStream(bad);
                ZipOutputStream z = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                z.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    byte[] content = is.readAllBytes();
                    if (e.getName().equals("state.properties")) {
                        content = new String(content, StandardCharsets.UTF_8).replaceAll("step=\\d+", "step=three")
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    z.write(content);
                }
                z.closeEntry();
            }
        }
        // the real checkpoint with its logits entry inflating to 300 MB of zeros (300 KB on disk)
        Path inflating = Files.createDirectories(dir.resolve("ck-inflate")).resolve(PruneGuard.CHECKPOINT_FILE);
        ZipFixtures.copyInflating(real, inflating, "logits.nd4j", 300L << 20);
        Path garbage = Files.createDirectories(dir.resolve("ck-garbage")).resolve(PruneGuard.CHECKPOINT_FILE);
        Files.write(garbage, pseudoRandom(777));
    }

    private static byte[] pseudoRandom(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }
}
