package org.maskpro4j.examples.llama;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A llama2.c model as one SameDiff graph, built once: token embedding, per block RMSNorm (ε = 1e-5), q/k/v
 * projections, rotary embeddings on adjacent pairs (θ = 10000, as llama2.c's {@code run.c}), causal grouped-query
 * attention, output projection, RMSNorm, SwiGLU feed-forward {@code w2(silu(w1 x) · w3 x)}, final RMSNorm and the
 * classifier (the token embedding when shared).
 *
 * <p>Every tensor of the checkpoint is one SameDiff VARIABLE under its {@link LlamaNames} name, holding the llama2.c
 * array ({@code [out, in]} for linear weights, used as {@code x · Wᵀ}); change weights in place with
 * {@code weight(name).assign(...)}. Placeholders: {@link #TOKENS}, {@link #TARGETS} ({@code [B, T]} int) and
 * {@link #LOSS_MASK} ({@code [B, T]} float), plus {@link #ROPE_COS}/{@link #ROPE_SIN} {@code [T, 1, headSize]} and
 * the additive {@link #CAUSAL_MASK} {@code [group·T, T]} for the batch's T, which {@link #placeholders} derives from
 * tables precomputed for seq_len (so any T up to seq_len works; run the graph through {@link #output}). Outputs: {@link #LOGITS} {@code [B, T, vocab]},
 * {@link #TOKEN_NLL} {@code [B·T]}, {@link #NLL_SUM} and {@link #TOKEN_COUNT} over scored positions (sum them over
 * batches for an exact corpus perplexity) and {@link #LOSS} = their ratio; activations are flattened to
 * {@code [B·T, width]} and named as in {@link LlamaNames}.
 */
public final class LlamaGraph {
    public static final String TOKENS = "tokens";
    public static final String TARGETS = "targets";
    public static final String LOSS_MASK = "lossMask";
    public static final String ROPE_COS = "ropeCos";
    public static final String ROPE_SIN = "ropeSin";
    public static final String CAUSAL_MASK = "causalMask";
    public static final String FINAL_NORM = "finalNorm";
    public static final String LOGITS = "logits";
    public static final String TOKEN_NLL = "tokenNll";
    public static final String NLL_SUM = "nllSum";
    public static final String TOKEN_COUNT = "tokenCount";
    public static final String LOSS = "loss";
    public static final String LOG_PROBS = "logProbs";
    public static final String TEACHER_LOG_PROBS = "teacherLogProbs";
    public static final String DISTILL_WEIGHT = "distillWeight";
    public static final String DISTILL_KL = "distillKl";
    public static final String OBJECTIVE = "objective";

    private static final double RMS_EPS = 1e-5;
    /** Added to attention scores of future positions: exp underflows to exactly 0 in float32. */
    private static final double MASKED_SCORE = -1e9;

    /** Summed negative log-likelihood of one batch's scored tokens. */
    public record Nll(double sum, long tokens) {
    }

    private final Llama2cCheckpoint source;
    private final LlamaConfig config;
    private final SameDiff sd;
    private final List<String> weightNames;
    /** cos/sin of every position's rotation angles, each repeated for both members of a pair: {@code [seqLen, 1, headSize]}. */
    private final INDArray cosTable;
    private final INDArray sinTable;

    private LlamaGraph(Llama2cCheckpoint source) {
        this.source = source;
        this.config = source.config();
        this.sd = SameDiff.create();
        List<String> names = new ArrayList<>();
        for (String name : source.tensorNames()) {
            if (!name.equals(LlamaNames.FREQ_CIS_REAL) && !name.equals(LlamaNames.FREQ_CIS_IMAG)) {
                names.add(name);
            }
        }
        this.weightNames = List.copyOf(names);
        INDArray[] tables = rotaryTables(config);
        this.cosTable = tables[0];
        this.sinTable = tables[1];
        define();
    }

    /** Builds the graph with the checkpoint's weights (copied into the graph's variables). */
    public static LlamaGraph build(Llama2cCheckpoint checkpoint) {
        return new LlamaGraph(checkpoint);
    }

    private void define() {
        LlamaConfig c = config;
        int hs = c.headSize();
        SDVariable tokens = sd.placeHolder(TOKENS, DataType.INT32, -1, -1);
        SDVariable targets = sd.placeHolder(TARGETS, DataType.INT32, -1, -1);
        SDVariable lossMask = sd.placeHolder(LOSS_MASK, DataType.FLOAT, -1, -1);
        SDVariable cos = sd.placeHolder(ROPE_COS, DataType.FLOAT, -1, 1, hs);
        SDVariable sin = sd.placeHolder(ROPE_SIN, DataType.FLOAT, -1, 1, hs);
        SDVariable causal = sd.placeHolder(CAUSAL_MASK, DataType.FLOAT, -1, -1);
        Map<String, SDVariable> w = new HashMap<>();
        for (String name : weightNames) {
            w.put(name, sd.var(name, source.tensor(name)));
        }
        SDVariable batchShape = sd.shape(tokens).castTo(DataType.LONG);
        SDVariable batch = sd.slice(batchShape, new int[] {0}, 1);
        SDVariable swapQ = sd.constant("ropeSwapQ", pairSwap(c.dim()));
        SDVariable swapK = sd.constant("ropeSwapK", pairSwap(c.kvDim()));

        SDVariable x = sd.gather(w.get(LlamaNames.TOKEN_EMBEDDING), sd.reshape(tokens, -1L), 0);
        for (int l = 0; l < c.layers(); l++) {
            SDVariable h = rmsNorm(LlamaNames.layer(l, LlamaNames.ATTN_NORM), x, w.get(LlamaNames.layer(l, LlamaNames.RMS_ATT)));
            SDVariable q = linear(LlamaNames.layer(l, LlamaNames.QUERY), h, w.get(LlamaNames.layer(l, "wq")));
            SDVariable k = linear(LlamaNames.layer(l, LlamaNames.KEY), h, w.get(LlamaNames.layer(l, "wk")));
            SDVariable v = linear(LlamaNames.layer(l, LlamaNames.VALUE), h, w.get(LlamaNames.layer(l, "wv")));
            SDVariable qHeads = rotate(q, swapQ, cos, sin, dims(batch, -1, c.heads(), hs));     // [B,T,H,hs]
            SDVariable kHeads = rotate(k, swapK, cos, sin, dims(batch, -1, c.kvHeads(), hs));   // [B,T,KV,hs]
            // Query heads sharing a key/value head are stacked along time: [B, KV, group·T, hs], so one batched
            // matmul per layer serves grouped-query attention without repeating keys and values.
            SDVariable qGrouped = sd.reshape(qHeads.permute(0, 2, 1, 3), dims(batch, c.kvHeads(), -1, hs));
            SDVariable kT = kHeads.permute(0, 2, 1, 3);
            SDVariable vT = sd.reshape(v, dims(batch, -1, c.kvHeads(), hs)).permute(0, 2, 1, 3);
            SDVariable scores = sd.mmul(qGrouped, kT, false, true, false).mul(1.0 / Math.sqrt(hs)).add(causal);
            SDVariable probs = sd.nn.softmax(scores, 3);
            SDVariable context = sd.mmul(probs, vT);                           // [B,KV,group·T,hs]
            SDVariable perHead = sd.reshape(context, dims(batch, c.heads(), -1, hs)).permute(0, 2, 1, 3);
            SDVariable attnOut = sd.reshape(LlamaNames.layer(l, LlamaNames.ATTN_OUT), perHead,
                    sd.constant(Nd4j.createFromArray(-1L, c.dim())));
            x = x.add(linear(null, attnOut, w.get(LlamaNames.layer(l, "wo"))));

            SDVariable f = rmsNorm(LlamaNames.layer(l, LlamaNames.FFN_NORM), x, w.get(LlamaNames.layer(l, LlamaNames.RMS_FFN)));
            SDVariable gate = linear(null, f, w.get(LlamaNames.layer(l, "w1")));
            SDVariable up = linear(null, f, w.get(LlamaNames.layer(l, "w3")));
            SDVariable hidden = gate.mul(sd.nn.sigmoid(gate)).mul(LlamaNames.layer(l, LlamaNames.FFN_HIDDEN), up);
            x = x.add(LlamaNames.layer(l, LlamaNames.BLOCK_OUT), linear(null, hidden, w.get(LlamaNames.layer(l, "w2"))));
        }
        SDVariable xf = rmsNorm(FINAL_NORM, x, w.get(LlamaNames.RMS_FINAL));
        SDVariable classifier = w.get(c.sharedClassifier() ? LlamaNames.TOKEN_EMBEDDING : LlamaNames.CLASSIFIER);
        SDVariable logits2d = linear(null, xf, classifier);
        sd.reshape(LOGITS, logits2d, sd.concat(0, batchShape, sd.constant(Nd4j.createFromArray((long) c.vocabSize()))));

        // x − max − log Σ exp(x − max) rather than sd.nn.logSoftmax: M2.1 cannot clone a LogSoftMax op when it
        // builds the gradient function ("Error setting property ... Integer.values()"), so backprop would fail.
        SDVariable shifted = logits2d.sub(logits2d.max(true, 1));
        SDVariable logProbs = shifted.sub(LOG_PROBS, sd.math.log(sd.math.exp(shifted).sum(true, 1)));
        SDVariable oneHot = sd.oneHot(sd.reshape(targets, -1L), c.vocabSize(), -1, 1.0, 0.0, DataType.FLOAT);
        SDVariable tokenNll = logProbs.mul(oneHot).sum(1).neg(TOKEN_NLL);
        SDVariable mask = sd.reshape(lossMask, -1L);
        SDVariable nllSum = tokenNll.mul(mask).sum(NLL_SUM);
        SDVariable count = mask.sum(TOKEN_COUNT);
        SDVariable loss = nllSum.div(LOSS, count);

        // distillation: KL(teacher ‖ model) per scored position, mixed with the cross-entropy by the weight λ; with λ = 0
        // (and any finite teacher input) the objective is the loss itself, so one gradient function serves both
        SDVariable teacher = sd.placeHolder(TEACHER_LOG_PROBS, DataType.FLOAT, -1, c.vocabSize());
        SDVariable lambda = sd.placeHolder(DISTILL_WEIGHT, DataType.FLOAT);
        SDVariable tokenKl = sd.math.exp(teacher).mul(teacher.sub(logProbs)).sum(1);
        SDVariable kl = tokenKl.mul(mask).sum().div(DISTILL_KL, count);
        loss.mul(lambda.rsub(1.0)).add(OBJECTIVE, lambda.mul(kl));
    }

    private SDVariable linear(String name, SDVariable in, SDVariable weightOutIn) {
        return sd.mmul(name, in, weightOutIn, false, true, false);
    }

    private SDVariable rmsNorm(String name, SDVariable x, SDVariable weight) {
        SDVariable meanSquare = x.mul(x).mean(true, 1);
        return x.mul(sd.math.rsqrt(meanSquare.add(RMS_EPS))).mul(name, weight);
    }

    /** RoPE of adjacent pairs: (a, b) → (a·cos − b·sin, a·sin + b·cos), i.e. x·cos + (x·P)·sin with P the pair swap. */
    private SDVariable rotate(SDVariable x2d, SDVariable swap, SDVariable cos, SDVariable sin, SDVariable shape) {
        SDVariable heads = sd.reshape(x2d, shape);
        SDVariable swapped = sd.reshape(sd.mmul(x2d, swap), shape);
        return heads.mul(cos).add(swapped.mul(sin));
    }

    private SDVariable dims(SDVariable batch, long... rest) {
        return sd.concat(0, batch, sd.constant(Nd4j.createFromArray(rest)));
    }

    /** P with (x·P)[2j] = −x[2j+1] and (x·P)[2j+1] = x[2j]. */
    private static INDArray pairSwap(int width) {
        INDArray p = Nd4j.zeros(DataType.FLOAT, width, width);
        for (int j = 0; j < width; j += 2) {
            p.putScalar(j + 1, j, -1.0);
            p.putScalar(j, j + 1, 1.0);
        }
        return p;
    }

    private static INDArray[] rotaryTables(LlamaConfig c) {
        INDArray angles = Llama2cCheckpoint.rotaryAngles(c).repeat(1, 2);
        return new INDArray[] {
            Transforms.cos(angles, true).castTo(DataType.FLOAT).reshape(c.seqLen(), 1, c.headSize()),
            Transforms.sin(angles, true).castTo(DataType.FLOAT).reshape(c.seqLen(), 1, c.headSize())};
    }

    /** All placeholder arrays for {@code batch}: its three arrays plus the rotary tables and causal mask for its T. */
    public Map<String, INDArray> placeholders(LlamaBatch batch) {
        int time = (int) batch.length();
        if (time > config.seqLen()) {
            throw new IllegalArgumentException("Batch length " + time + " exceeds the model's seq_len " + config.seqLen()
                    + ": truncate sequences to seq_len tokens");
        }
        double min = batch.tokens().minNumber().doubleValue();
        double max = Math.max(batch.tokens().maxNumber().doubleValue(), batch.targets().maxNumber().doubleValue());
        if (min < 0 || batch.targets().minNumber().doubleValue() < 0 || max >= config.vocabSize()) {
            throw new IllegalArgumentException("Token ids must lie in 0.." + (config.vocabSize() - 1) + ", got "
                    + min + ".." + max);
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TOKENS, batch.tokens().castTo(DataType.INT32));
        ph.put(TARGETS, batch.targets().castTo(DataType.INT32));
        ph.put(LOSS_MASK, batch.lossMask().castTo(DataType.FLOAT));
        ph.put(ROPE_COS, cosTable.get(NDArrayIndex.interval(0, time), NDArrayIndex.all(), NDArrayIndex.all()).dup());
        ph.put(ROPE_SIN, sinTable.get(NDArrayIndex.interval(0, time), NDArrayIndex.all(), NDArrayIndex.all()).dup());
        INDArray future = Nd4j.tri(time, time, 0).castTo(DataType.FLOAT).rsubi(1.0).muli(MASKED_SCORE);
        ph.put(CAUSAL_MASK, Nd4j.tile(future, config.groupSize(), 1));
        return ph;
    }

    /** The named variables on {@code batch}, forward only. */
    public Map<String, INDArray> output(LlamaBatch batch, String... variables) {
        return sd.output(placeholders(batch), variables);
    }

    /** Masked mean token NLL of {@code batch}. */
    public double loss(LlamaBatch batch) {
        return output(batch, LOSS).get(LOSS).getDouble(0);
    }

    /** Summed NLL and scored-token count of {@code batch}. */
    public Nll nll(LlamaBatch batch) {
        Map<String, INDArray> out = output(batch, NLL_SUM, TOKEN_COUNT);
        return new Nll(out.get(NLL_SUM).getDouble(0), Math.round(out.get(TOKEN_COUNT).getDouble(0)));
    }

    /** The placeholders of {@link #OBJECTIVE}: those of {@code batch} plus the teacher's log-probabilities and λ. */
    public Map<String, INDArray> placeholders(LlamaBatch batch, INDArray teacherLogProbs, double lambda) {
        Map<String, INDArray> ph = placeholders(batch);
        ph.put(TEACHER_LOG_PROBS, teacherLogProbs.castTo(DataType.FLOAT));
        ph.put(DISTILL_WEIGHT, Nd4j.scalar(DataType.FLOAT, lambda));
        return ph;
    }

    /** {@code [B·T, vocab]} next-token log-probabilities (padded positions included). */
    public INDArray logProbabilities(LlamaBatch batch) {
        return output(batch, LOG_PROBS).get(LOG_PROBS);
    }

    /** {@code [B, T, vocab]} next-token logits. */
    public INDArray logits(LlamaBatch batch) {
        return output(batch, LOGITS).get(LOGITS);
    }

    public LlamaConfig config() {
        return config;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    /** The live array of a weight variable (e.g. {@code layers.0.wq}); assign into it to change the model. */
    public INDArray weight(String name) {
        if (!weightNames.contains(name)) {
            throw new IllegalArgumentException("No weight variable '" + name + "'; weights: " + weightNames);
        }
        return sd.getVariable(name).getArr();
    }

    /** Names of the weight variables, in checkpoint order. */
    public List<String> weightNames() {
        return weightNames;
    }

    /** A checkpoint of the current weights (e.g. after pruning), writable for llama2.c. */
    public Llama2cCheckpoint toCheckpoint() {
        Map<String, INDArray> current = new LinkedHashMap<>();
        for (String name : weightNames) {
            current.put(name, weight(name));
        }
        return source.withTensors(current);
    }
}
