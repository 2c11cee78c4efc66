package org.maskpro4j.examples.models;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Reads a DL4J {@code ModelSerializer} zip without trusting it. DL4J M2.1 hands a zip's {@code preprocessor.bin} to
 * a plain {@code ObjectInputStream} (any class on the class path can be instantiated, and a few KB of nested sets
 * spin a CPU for hours) and inflates every entry to whatever size it declares. This reader instead
 * <ul>
 * <li>reads only the entries a model needs ({@code configuration.json}, {@code coefficients.bin}, optionally
 * {@code updaterState.bin}), plus Java-serialised entries ({@code preprocessor.bin}, {@code objects/NAME}) only
 * through an {@link ObjectInputFilter} that admits the preprocessor classes ND4J itself writes (or, for
 * {@code objects/}, strings), with limits on depth, references, array length and bytes;</li>
 * <li>checks each entry's declared size, and the parameter count in the coefficients' own header, against what
 * the configuration implies and against the free Java heap <em>before</em> inflating or allocating, and counts the
 * bytes actually inflated, since a declared size can lie;</li>
 * <li>builds the network from the configuration and the parameters as ModelSerializer does.</li>
 * </ul>
 * Every refusal is an {@link IllegalArgumentException} that names the file and the entry.
 */
public final class Dl4jZip {
    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String UPDATER = "updaterState.bin";
    static final String PREPROCESSOR = "preprocessor.bin";
    static final String OBJECTS = "objects/";

    /** A configuration is JSON text; real ones are kilobytes, the largest zoo graphs a few hundred. */
    static final long MAX_CONFIGURATION_BYTES = 64L << 20;
    /** Preprocessors hold a few statistics vectors. */
    static final long MAX_SERIALIZED_BYTES = 16L << 20;
    /** Room for ND4J's array headers around the parameter values. */
    private static final long HEADER_SLACK = 64L << 10;
    /** Updaters keep at most a few values per parameter (Adam: 2, AdamW/AMSGrad: 3). */
    private static final int MAX_UPDATER_VALUES_PER_PARAMETER = 4;

    /** Preprocessors DL4J writes live here; their statistics are ND4J arrays and their enums ND4J's. */
    private static final List<String> PREPROCESSOR_PACKAGES = List.of("org.nd4j.linalg.dataset.api.preprocessor.",
            "org.nd4j.linalg.dataset.preprocessor.", "org.nd4j.linalg.api.ndarray.", "org.nd4j.linalg.cpu.nativecpu.",
            "org.nd4j.linalg.jcublas.", "org.nd4j.linalg.api.buffer.", "org.nd4j.linalg.dataset.api.DataSetPreProcessor");
    private static final List<Class<?>> PLAIN = List.of(String.class, Boolean.class, Byte.class, Character.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, Number.class, Enum.class);

    private final Path file;
    private final String json;
    private final INDArray params;
    private final INDArray updaterState;
    private final Map<String, Object> objects;

    private Dl4jZip(Path file, String json, INDArray params, INDArray updaterState, Map<String, Object> objects) {
        this.file = file;
        this.json = json;
        this.params = params;
        this.updaterState = updaterState;
        this.objects = objects;
    }

    /**
     * Reads and checks {@code file}.
     *
     * @param withUpdater whether to read the updater state too (to continue training; pruning does not need it)
     * @throws IllegalArgumentException naming the file and entry when it is not a DL4J zip or fails a check
     */
    public static Dl4jZip read(Path file, boolean withUpdater) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry conf = zip.getEntry(CONFIGURATION);
            if (conf == null) {
                throw refuse(file, "has no " + CONFIGURATION + ": not a DL4J model saved by ModelSerializer");
            }
            String json = new String(inflate(zip, conf, MAX_CONFIGURATION_BYTES, file), StandardCharsets.UTF_8);
            long numParams = numParams(json, file);
            // a float parameter takes 4 bytes, a double 8: the entry can be no larger than that plus its headers
            INDArray params = readArray(zip, COEFFICIENTS, numParams, 8 * numParams + HEADER_SLACK, file);
            INDArray updater = withUpdater ? readArray(zip, UPDATER, -1,
                    8L * MAX_UPDATER_VALUES_PER_PARAMETER * numParams + HEADER_SLACK, file) : null;
            ZipEntry preprocessor = zip.getEntry(PREPROCESSOR);
            if (preprocessor != null) {
                // read (and so vetted) although unused, so a file that carries a payload is refused, not passed on
                deserialize(zip, preprocessor, Dl4jZip::preprocessorClass, file);
            }
            Map<String, Object> objects = new LinkedHashMap<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().startsWith(OBJECTS) && !e.isDirectory()) {
                    objects.put(e.getName().substring(OBJECTS.length()), deserialize(zip, e, PLAIN::contains, file));
                }
            }
            return new Dl4jZip(file, json, params, updater, objects);
        } catch (ZipException e) {
            throw refuse(file, "is not a readable zip (" + e.getMessage() + "): not a DL4J model saved by ModelSerializer");
        }
    }

    /** The network, MultiLayerNetwork or ComputationGraph as the configuration says, with the file's parameters. */
    public Model model() {
        try {
            if (isGraph(json)) {
                ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
                if (params != null) {
                    conf.setDataType(params.dataType());
                }
                ComputationGraph graph = new ComputationGraph(conf);
                graph.init(params, false);
                if (updaterState != null) {
                    graph.getUpdater().setStateViewArray(updaterState);
                }
                return graph;
            }
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
            if (params != null) {
                conf.setDataType(params.dataType());
            }
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init(params, false);
            if (updaterState != null) {
                net.getUpdater().setStateViewArray(net, updaterState, false);
            }
            return net;
        } catch (RuntimeException e) {
            throw refuse(file, "holds a configuration DL4J cannot build (" + firstLine(e) + ")");
        }
    }

    /** An object stored with {@code ModelSerializer.addObjectToFile} (strings only), or null. */
    public Object object(String key) {
        return objects.get(key);
    }

    /** The class filter for {@code preprocessor.bin}: ND4J's preprocessors, their arrays, enums and boxed values. */
    static boolean preprocessorClass(Class<?> c) {
        String name = c.getName();
        return PLAIN.contains(c) || PREPROCESSOR_PACKAGES.stream().anyMatch(name::startsWith);
    }

    private static boolean isGraph(String json) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            return root.has("vertices");
        } catch (IOException e) {
            return false;
        }
    }

    /** Parameters the configuration declares; it is parsed here only to bound what the file may hold. */
    private static long numParams(String json, Path file) {
        try {
            long n = 0;
            if (isGraph(json)) {
                for (GraphVertex v : ComputationGraphConfiguration.fromJson(json).getVertices().values()) {
                    n = Math.addExact(n, v.numParams(true));
                }
            } else {
                for (NeuralNetConfiguration c : MultiLayerConfiguration.fromJson(json).getConfs()) {
                    n = Math.addExact(n, c.getLayer().initializer().numParams(c));
                }
            }
            return n;
        } catch (ArithmeticException e) {
            throw refuse(file, "declares more than 2^63 parameters in " + CONFIGURATION);
        } catch (RuntimeException e) {
            throw refuse(file, "holds no DL4J network configuration in " + CONFIGURATION + " (" + firstLine(e) + ")");
        }
    }

    /** An ND4J array entry, or null when absent; {@code expectedLength} < 0 means any length up to the byte bound. */
    private static INDArray readArray(ZipFile zip, String name, long expectedLength, long maxBytes, Path file)
            throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            return null;
        }
        byte[] bytes = inflate(zip, e, maxBytes, file);
        long declared = declaredLength(bytes, name, file);
        if (expectedLength >= 0 && declared != expectedLength) {
            throw refuse(file, "has " + declared + " values in " + name + " but its configuration has " + expectedLength
                    + " parameters: the weights do not belong to this configuration");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        } catch (IOException | RuntimeException ex) {
            throw refuse(file, "has a damaged " + name + " (" + firstLine(ex) + ")");
        }
    }

    /**
     * The element count ND4J's header declares for the data buffer, checked against the bytes present so that a
     * crafted header cannot make ND4J allocate more than the entry holds. Layout: shape buffer then data buffer,
     * each {@code UTF allocationMode, long length, UTF dataType, values}.
     */
    private static long declaredLength(byte[] bytes, String name, Path file) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.readUTF();
            long shapeLength = in.readLong();
            DataType shapeType = DataType.valueOf(in.readUTF());
            long shapeBytes = Math.multiplyExact(shapeLength, (long) shapeType.width());
            if (shapeLength < 0 || shapeBytes > in.available()) {
                throw new IOException("shape header declares " + shapeLength + " values");
            }
            in.skipNBytes(shapeBytes);
            in.readUTF();
            long length = in.readLong();
            DataType type = DataType.valueOf(in.readUTF());
            if (length < 0 || Math.multiplyExact(length, (long) type.width()) > in.available()) {
                throw new IOException("header declares " + length + " " + type + " values but the entry holds "
                        + in.available() + " bytes");
            }
            return length;
        } catch (IOException | IllegalArgumentException | ArithmeticException e) {
            throw refuse(file, "has a damaged " + name + " (" + firstLine(e) + ")");
        }
    }

    /** The entry's bytes, refusing before inflating when it declares more than {@code maxBytes} or the free heap. */
    private static byte[] inflate(ZipFile zip, ZipEntry e, long maxBytes, Path file) throws IOException {
        long declared = e.getSize();
        long limit = Math.min(maxBytes, Integer.MAX_VALUE - 16);
        if (declared > limit) {
            throw refuse(file, "declares " + declared + " bytes for its entry " + e.getName() + ", more than the "
                    + limit + " its configuration allows: damaged or crafted");
        }
        long expected = declared >= 0 ? declared : limit;
        long free = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        if (declared > free) {
            throw refuse(file, "entry " + e.getName() + " inflates to " + declared / (1 << 20) + " MiB, more than the "
                    + free / (1 << 20) + " MiB of Java heap left: run java with a larger -Xmx");
        }
        try (InputStream in = zip.getInputStream(e)) {
            // the central directory's size can lie: never read past the limit, whatever it says
            byte[] bytes = in.readNBytes((int) Math.min(limit, expected) + 1);
            if (bytes.length > limit || declared >= 0 && bytes.length != declared) {
                throw refuse(file, "entry " + e.getName() + " inflates to " + (bytes.length > limit ? "more than " + limit
                        : bytes.length) + " bytes but declares " + declared + ": damaged or crafted");
            }
            return bytes;
        }
    }

    private static Object deserialize(ZipFile zip, ZipEntry e, java.util.function.Predicate<Class<?>> admitted, Path file)
            throws IOException {
        byte[] bytes = inflate(zip, e, MAX_SERIALIZED_BYTES, file);
        ObjectInputFilter filter = info -> {
            if (info.depth() > 20 || info.references() > 10_000 || info.streamBytes() > MAX_SERIALIZED_BYTES
                    || info.arrayLength() > (1 << 24)) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            while (c.isArray()) {
                c = c.getComponentType();
            }
            return c.isPrimitive() || admitted.test(c) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        };
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException rejected) {
            throw refuse(file, "entry " + e.getName() + " holds Java-serialised data that is not a DL4J preprocessor ("
                    + rejected.getMessage() + "); maskpro does not run code from model files: save the model again"
                    + " with ModelSerializer.writeModel and no preprocessor");
        } catch (IOException | ClassNotFoundException | RuntimeException ex) {
            throw refuse(file, "has a damaged entry " + e.getName() + " (" + firstLine(ex) + ")");
        }
    }

    private static IllegalArgumentException refuse(Path file, String what) {
        return new IllegalArgumentException("DL4J model " + file + " " + what);
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("").strip();
    }
}
