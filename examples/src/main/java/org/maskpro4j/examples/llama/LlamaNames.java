package org.maskpro4j.examples.llama;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the tensors of a llama2.c model: one scheme shared by the checkpoint, the SameDiff variables and
 * the maskable weights, so a name read in a log can be looked up everywhere.
 *
 * <p>Per-layer tensors are {@code layers.<l>.<kind>}: weights {@code rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3};
 * activations {@code attnNorm} (input of wq/wk/wv), {@code q, k, v} (projections before RoPE), {@code attnOut}
 * (input of wo), {@code ffnNorm} (input of w1/w3), {@code ffnHidden} = silu(w1 x)·(w3 x) (input of w2) and
 * {@code out} (residual stream after the block). Linear weights are llama2.c {@code [out, in]} arrays.
 */
public final class LlamaNames {
    public static final String TOKEN_EMBEDDING = "tokenEmbedding";
    public static final String RMS_FINAL = "rmsFinal";
    public static final String CLASSIFIER = "wcls";
    public static final String FREQ_CIS_REAL = "freqCisReal";
    public static final String FREQ_CIS_IMAG = "freqCisImag";

    public static final String RMS_ATT = "rmsAtt";
    public static final String RMS_FFN = "rmsFfn";
    /** The linear weights of one block, in forward order. */
    public static final List<String> MATRICES = List.of("wq", "wk", "wv", "wo", "w1", "w2", "w3");

    public static final String ATTN_NORM = "attnNorm";
    public static final String QUERY = "q";
    public static final String KEY = "k";
    public static final String VALUE = "v";
    public static final String ATTN_OUT = "attnOut";
    public static final String FFN_NORM = "ffnNorm";
    public static final String FFN_HIDDEN = "ffnHidden";
    public static final String BLOCK_OUT = "out";

    private static final Pattern LAYER_TENSOR = Pattern.compile("layers\\.(\\d+)\\.(\\w+)");

    private LlamaNames() {
    }

    /** {@code layers.<layer>.<kind>}, e.g. {@code layers.0.wq}. */
    public static String layer(int layer, String kind) {
        return "layers." + layer + "." + kind;
    }

    /** The layer index of a per-layer name, or -1 for a global tensor. */
    public static int layerOf(String name) {
        Matcher m = LAYER_TENSOR.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The kind of a per-layer name ({@code wq} for {@code layers.3.wq}), or the name itself for a global tensor. */
    public static String kindOf(String name) {
        Matcher m = LAYER_TENSOR.matcher(name);
        return m.matches() ? m.group(2) : name;
    }

    /** The activation a linear weight multiplies, e.g. {@code layers.2.ffnHidden} for {@code layers.2.w2}. */
    public static String inputOf(String weightName) {
        int layer = layerOf(weightName);
        String kind = kindOf(weightName);
        String input = switch (kind) {
            case "wq", "wk", "wv" -> ATTN_NORM;
            case "wo" -> ATTN_OUT;
            case "w1", "w3" -> FFN_NORM;
            case "w2" -> FFN_HIDDEN;
            default -> null;
        };
        if (layer < 0 || input == null) {
            throw new IllegalArgumentException("'" + weightName + "' is not a llama linear weight: expected layers.<l>.<"
                    + String.join("|", MATRICES) + ">");
        }
        return layer(layer, input);
    }
}
