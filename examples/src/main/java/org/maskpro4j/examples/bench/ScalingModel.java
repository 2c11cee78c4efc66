package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.LlamaConfig;
import org.maskpro4j.examples.llama.LlamaNames;

/**
 * A model of the scaling set, named {@code llama-random:15M|42M|110M} (randomly initialised LLaMAs of llama2.c's
 * stories15M, 42M and 110M shapes with the 512-token vocabulary of {@code tok512.bin}) or {@code mlp:6M|25M|100M}
 * ({@link SyntheticMlp} at width factor 1, 2, 4). Time and memory do not depend on the weights' values, so random
 * weights measure what trained ones would.
 *
 * @param llama whether it is a LLaMA (else the MLP)
 * @param size  the size label, as in the name
 */
public record ScalingModel(boolean llama, String size) {
    public static final String LLAMA_PREFIX = "llama-random:";
    public static final String MLP_PREFIX = "mlp:";
    /** The vocabulary of tok512.bin, the tokenizer shipped beside stories260K. */
    public static final int VOCAB = 512;
    public static final List<String> LLAMA_SIZES = List.of("15M", "42M", "110M");
    public static final List<String> MLP_SIZES = List.of("6M", "25M", "100M");
    /** LLaMA-2-7B's shapes, for the on-paper extrapolation (32,000-token vocabulary, 4,096 positions). */
    public static final LlamaConfig LLAMA2_7B = new LlamaConfig(4096, 11008, 32, 32, 32, 32000, 4096, false);

    public ScalingModel {
        if (!(llama ? LLAMA_SIZES : MLP_SIZES).contains(size)) {
            throw new IllegalArgumentException("Unknown size " + size + " for " + (llama ? LLAMA_PREFIX : MLP_PREFIX)
                    + "; choose from " + (llama ? LLAMA_SIZES : MLP_SIZES));
        }
    }

    /** The whole set, LLaMAs first, each family smallest first. */
    public static List<ScalingModel> all() {
        return Stream.concat(LLAMA_SIZES.stream().map(s -> new ScalingModel(true, s)),
                MLP_SIZES.stream().map(s -> new ScalingModel(false, s))).toList();
    }

    /** The model a name stands for; empty when the name is not of this set (a size outside it is an error). */
    public static Optional<ScalingModel> parse(String name) {
        if (name.startsWith(LLAMA_PREFIX)) {
            return Optional.of(new ScalingModel(true, name.substring(LLAMA_PREFIX.length())));
        }
        if (name.startsWith(MLP_PREFIX)) {
            return Optional.of(new ScalingModel(false, name.substring(MLP_PREFIX.length())));
        }
        return Optional.empty();
    }

    public String cliName() {
        return (llama ? LLAMA_PREFIX : MLP_PREFIX) + size;
    }

    public String family() {
        return llama ? "LLaMA" : "MLP";
    }

    /** The LLaMA's shape: the stories model's, with the 512-token vocabulary and {@code seqLen} positions. */
    public LlamaConfig llamaConfig(int seqLen) {
        if (!llama) {
            throw new IllegalStateException(cliName() + " is not a LLaMA");
        }
        LlamaConfig c = InferenceBenchmark.LLAMAS.get("stories" + size);
        return new LlamaConfig(c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(), VOCAB, seqLen, c.sharedClassifier());
    }

    /** The MLP's width factor: 1, 2 or 4. */
    public int mlpWidth() {
        if (llama) {
            throw new IllegalStateException(cliName() + " is not an MLP");
        }
        return 1 << MLP_SIZES.indexOf(size);
    }

    /** The weights MaskPro learns masks for: every linear weight of every block (LLaMA), every weight matrix (MLP). */
    public long prunableWeights() {
        return llama ? llamaPrunableWeights(llamaConfig(2)) : SyntheticMlp.weights(mlpWidth());
    }

    /** wq, wk, wv, wo, w1, w2, w3 of every block; embedding and classifier stay dense. */
    public static long llamaPrunableWeights(LlamaConfig c) {
        long dim = c.dim();
        return c.layers() * (2 * dim * dim + 2 * dim * c.kvDim() + 3 * dim * c.hiddenDim());
    }

    /** Every parameter of a llama2.c checkpoint (RoPE tables left out: they are not weights). */
    public static long llamaParameters(LlamaConfig c) {
        long total = 0;
        for (var e : Llama2cCheckpoint.tensorShapes(c).entrySet()) {
            if (!e.getKey().equals(LlamaNames.FREQ_CIS_REAL) && !e.getKey().equals(LlamaNames.FREQ_CIS_IMAG)) {
                long n = 1;
                for (long d : e.getValue()) {
                    n *= d;
                }
                total += n;
            }
        }
        return total;
    }
}
