package org.maskpro4j.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaConfig;
import org.maskpro4j.examples.llama.LlamaNames;
import org.maskpro4j.examples.llama.inference.CompressedLlama;
import org.maskpro4j.examples.llama.inference.Generation;
import org.maskpro4j.examples.llama.inference.LlamaRuntime;
import org.maskpro4j.examples.llama.inference.Sampler;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code maskpro bench --inference}: the N:M kernel against ND4J's dense product of the same masked matrix
 * ({@code W.mmul(X)}, OpenBLAS), cell by cell, and llama2.c generation on dense against compressed weights. Both
 * sides of every ratio run in turn within each sample ({@link Timing#compare}), so load on a shared machine hits
 * them alike; every cell is reported, also where the kernel loses. Weights are random (seeded) and pruned to the
 * pattern at random positions, which is what the kernel's speed depends on.
 */
public final class InferenceBenchmark {
    /** The shapes of llama2.c's tinyllamas: stories15M, 42M and 110M (dim, FFN hidden, layers, heads, seq_len). */
    public static final Map<String, LlamaConfig> LLAMAS = Map.of(
            "stories15M", new LlamaConfig(288, 768, 6, 6, 6, 32000, 256, true),
            "stories42M", new LlamaConfig(512, 1376, 8, 8, 8, 32000, 1024, true),
            "stories110M", new LlamaConfig(768, 2048, 12, 12, 12, 32000, 1024, true));
    public static final List<String> LLAMA_ORDER = List.of("stories15M", "stories42M", "stories110M");

    /** One cell: rows × cols at one batch. */
    public record KernelRow(String pattern, String shape, int batch, Spread speedup, Spread denseMs, Spread nmMs) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pattern", pattern);
            m.put("shape", shape);
            m.put("batch", batch);
            m.put("speedup", speedup.median());
            m.put("dense_ms", denseMs.median());
            m.put("nm_ms", nmMs.median());
            m.put("speedup_spread", speedup.toJson());
            return m;
        }
    }

    /** Generation of {@code tokens} positions with one random-weight model. */
    public record GenerationRow(String model, String pattern, int tokens, Spread speedup, Spread denseTokensPerSecond,
            Spread nmTokensPerSecond, long denseMatrixBytes, long nmMatrixBytes) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("pattern", pattern);
            m.put("tokens", tokens);
            m.put("speedup", speedup.median());
            m.put("dense_tokens_per_s", denseTokensPerSecond.median());
            m.put("nm_tokens_per_s", nmTokensPerSecond.median());
            m.put("dense_matrix_bytes", denseMatrixBytes);
            m.put("nm_matrix_bytes", nmMatrixBytes);
            m.put("speedup_spread", speedup.toJson());
            return m;
        }
    }

    private final List<NmPattern> patterns;
    private final List<int[]> shapes;
    private final int[] batches;
    private final List<String> llamas;
    private final int generationTokens;
    private final Timing timing;
    private final NmKernel kernel;
    private final long seed;

    public InferenceBenchmark(List<NmPattern> patterns, List<int[]> shapes, int[] batches, List<String> llamas,
            int generationTokens, Timing timing, NmKernel kernel, long seed) {
        this.patterns = List.copyOf(patterns);
        this.shapes = List.copyOf(shapes);
        this.batches = batches.clone();
        this.llamas = List.copyOf(llamas);
        for (String l : llamas) {
            if (!LLAMAS.containsKey(l)) {
                throw new IllegalArgumentException("Unknown LLaMA shape '" + l + "': choose from " + LLAMA_ORDER);
            }
        }
        if (generationTokens < 2) {
            throw new IllegalArgumentException("Generation needs at least 2 tokens, got " + generationTokens);
        }
        this.generationTokens = generationTokens;
        this.timing = Objects.requireNonNull(timing);
        this.kernel = Objects.requireNonNull(kernel);
        this.seed = seed;
    }

    /** The matrices: 4096², 4096×11008, and the three linear shapes of every tinyllama. */
    public static List<int[]> defaultShapes() {
        List<int[]> shapes = new ArrayList<>(List.of(new int[] {4096, 4096}, new int[] {4096, 11008}));
        for (String name : LLAMA_ORDER) {
            LlamaConfig c = LLAMAS.get(name);
            shapes.add(new int[] {c.dim(), c.dim()});
            shapes.add(new int[] {c.hiddenDim(), c.dim()});
            shapes.add(new int[] {c.dim(), c.hiddenDim()});
        }
        return shapes;
    }

    /** Runs every cell, then every generation; {@code progress} hears about each as it finishes. */
    public InferenceReport run(Consumer<String> progress) {
        List<KernelRow> rows = new ArrayList<>();
        Map<String, Double> bytesRatio = new LinkedHashMap<>();
        for (NmPattern p : patterns) {
            for (int[] shape : shapes) {
                float[] dense = randomPruned(shape[0], shape[1], p, new SplittableRandom(seed ^ shape[0] * 31L ^ shape[1]));
                NmMatrix w = NmMatrix.compress(shape[0] + "x" + shape[1], dense, shape[0], shape[1], p);
                INDArray denseW = Nd4j.create(dense, new long[] {shape[0], shape[1]}, 'c');
                bytesRatio.putIfAbsent(p.toString(), (double) w.bytes() / w.denseBytes());
                for (int batch : batches) {
                    rows.add(cell(p, w, denseW, batch));
                    KernelRow r = rows.get(rows.size() - 1);
                    progress.accept(String.format("kernel %s %s batch %d: dense %.3f ms, N:M %.3f ms, speed-up %.2fx",
                            r.pattern(), r.shape(), batch, r.denseMs().median(), r.nmMs().median(), r.speedup().median()));
                }
                denseW.close();
            }
        }
        List<GenerationRow> generation = new ArrayList<>();
        for (NmPattern p : patterns) {
            for (String name : llamas) {
                generation.add(generation(name, p));
                GenerationRow g = generation.get(generation.size() - 1);
                progress.accept(String.format("generate %s %s: dense %.1f tok/s, N:M %.1f tok/s, speed-up %.2fx", name, p,
                        g.denseTokensPerSecond().median(), g.nmTokensPerSecond().median(), g.speedup().median()));
            }
        }
        return new InferenceReport(rows, bytesRatio, generation, kernel.implementation().name(), kernel.threads(),
                Machine.now());
    }

    private KernelRow cell(NmPattern p, NmMatrix w, INDArray denseW, int batch) {
        SplittableRandom rng = new SplittableRandom(seed + batch);
        float[] x = new float[w.cols() * batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        INDArray denseX = Nd4j.create(x, new long[] {w.cols(), batch}, 'c');
        INDArray denseY = Nd4j.create(DataType.FLOAT, w.rows(), batch);
        float[] y = new float[w.rows() * batch];
        Timing.Comparison c = timing.compare(() -> denseW.mmuli(denseX, denseY), () -> kernel.multiply(w, x, batch, y));
        return new KernelRow(p.toString(), w.rows() + "x" + w.cols(), batch, c.ratio().reciprocal(1.0),
                c.baselineSeconds().scaled(1e3), c.candidateSeconds().scaled(1e3));
    }

    private GenerationRow generation(String name, NmPattern p) {
        LlamaConfig config = LLAMAS.get(name);
        Llama2cCheckpoint checkpoint = randomCheckpoint(config, p, seed);
        NmModelFile compressed = CompressedLlama.compress(checkpoint, p, List.of());
        LlamaRuntime dense = LlamaRuntime.dense(checkpoint);
        LlamaRuntime nm = LlamaRuntime.compressed(compressed, kernel);
        int[] prompt = {Llama2cTokenizer.BOS};
        int tokens = Math.min(generationTokens, config.seqLen());
        Timing.Comparison c = timing.compare(() -> generate(dense, prompt, tokens), () -> generate(nm, prompt, tokens));
        return new GenerationRow(name, p.toString(), tokens, c.ratio().reciprocal(1.0),
                c.baselineSeconds().reciprocal(tokens), c.candidateSeconds().reciprocal(tokens), dense.matrixBytes(),
                nm.matrixBytes());
    }

    private static void generate(LlamaRuntime model, int[] prompt, int tokens) {
        // greedy from BOS; a random model rarely emits BOS, and when it does both sides stop at the same place
        Generation.run(model, prompt, tokens, new Sampler(0, 0), t -> { });
    }

    /** A checkpoint with random weights (scaled like an initialised model) whose linear matrices are pruned to p. */
    public static Llama2cCheckpoint randomCheckpoint(LlamaConfig config, NmPattern p, long seed) {
        return randomCheckpoint(config, seed, (shape, rng) -> randomPruned(shape[0], shape[1], p, rng));
    }

    /** A checkpoint with random dense weights, scaled like an initialised model: what mask learning starts from. */
    public static Llama2cCheckpoint randomCheckpoint(LlamaConfig config, long seed) {
        return randomCheckpoint(config, seed, (shape, rng) -> gaussian(shape[0] * shape[1], 1 / Math.sqrt(shape[1]), rng));
    }

    private static Llama2cCheckpoint randomCheckpoint(LlamaConfig config, long seed,
            BiFunction<int[], SplittableRandom, float[]> matrix) {
        Map<String, INDArray> tensors = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (Map.Entry<String, long[]> e : Llama2cCheckpoint.tensorShapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            if (name.equals(LlamaNames.FREQ_CIS_REAL) || name.equals(LlamaNames.FREQ_CIS_IMAG)) {
                continue;
            }
            int rows = (int) shape[0];
            int cols = shape.length > 1 ? (int) shape[1] : 1;
            float[] values;
            if (LlamaNames.MATRICES.contains(LlamaNames.kindOf(name))) {
                values = matrix.apply(new int[] {rows, cols}, rng.split());
            } else if (shape.length == 1) {
                values = new float[rows];
                Arrays.fill(values, 1f);
            } else {
                values = gaussian(rows * cols, 0.02, rng.split());
            }
            tensors.put(name, Nd4j.create(values, shape, 'c'));
        }
        return Llama2cCheckpoint.of(config, tensors);
    }

    /** Gaussian weights (std 1/sqrt(cols)) with N of every M kept at random positions. */
    public static float[] randomPruned(int rows, int cols, NmPattern p, SplittableRandom rng) {
        float[] w = gaussian(rows * cols, 1 / Math.sqrt(cols), rng);
        int[] order = new int[p.m()];
        for (int g = 0; g < w.length / p.m(); g++) {
            for (int j = 0; j < order.length; j++) {
                order[j] = j;
            }
            for (int j = 0; j < p.m() - p.n(); j++) {
                int pick = j + rng.nextInt(p.m() - j);
                int t = order[j];
                order[j] = order[pick];
                order[pick] = t;
                w[g * p.m() + order[j]] = 0;
            }
        }
        return w;
    }

    private static float[] gaussian(int count, double std, SplittableRandom rng) {
        float[] values = new float[count];
        Random gaussian = new Random(rng.nextLong());
        for (int i = 0; i < count; i++) {
            values[i] = (float) (gaussian.nextGaussian() * std);
        }
        return values;
    }
}
