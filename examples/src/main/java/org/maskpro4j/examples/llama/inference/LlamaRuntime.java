package org.maskpro4j.examples.llama.inference;

import java.util.function.Function;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.LlamaConfig;
import org.maskpro4j.examples.llama.LlamaNames;
import org.maskpro4j.sparse.DenseTensor;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;

/**
 * llama2.c's {@code run.c} forward pass in Java, one token at a time with a KV cache: the seven linear matrices of
 * each layer are {@link Linear}s (dense ND4J or the N:M kernel), the rest is plain loops. The classifier stays dense.
 * Not thread-safe: it owns its activation buffers and cache.
 */
public final class LlamaRuntime {
    private static final float RMS_EPS = 1e-5f;
    private static final double ROPE_THETA = 10000.0;

    private final LlamaConfig c;
    private final float[] embedding;
    private final float[][] rmsAtt;
    private final float[][] rmsFfn;
    private final float[] rmsFinal;
    private final Linear[][] linears;
    private final Linear classifier;
    private final float[][] keyCache;
    private final float[][] valueCache;
    private final float[] x;
    private final float[] xb;
    private final float[] xb2;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] hb;
    private final float[] hb2;
    private final float[] att;
    private final float[] logits;

    private LlamaRuntime(LlamaConfig c, Function<String, float[]> tensor, Function<String, Linear> linear) {
        this.c = c;
        this.embedding = tensor.apply(LlamaNames.TOKEN_EMBEDDING);
        this.rmsAtt = new float[c.layers()][];
        this.rmsFfn = new float[c.layers()][];
        this.linears = new Linear[c.layers()][LlamaNames.MATRICES.size()];
        for (int l = 0; l < c.layers(); l++) {
            rmsAtt[l] = tensor.apply(LlamaNames.layer(l, LlamaNames.RMS_ATT));
            rmsFfn[l] = tensor.apply(LlamaNames.layer(l, LlamaNames.RMS_FFN));
            for (int i = 0; i < LlamaNames.MATRICES.size(); i++) {
                linears[l][i] = linear.apply(LlamaNames.layer(l, LlamaNames.MATRICES.get(i)));
            }
        }
        this.rmsFinal = tensor.apply(LlamaNames.RMS_FINAL);
        String classifierName = c.sharedClassifier() ? LlamaNames.TOKEN_EMBEDDING : LlamaNames.CLASSIFIER;
        this.classifier = new DenseLinear(org.nd4j.linalg.factory.Nd4j.create(tensor.apply(classifierName),
                new long[] {c.vocabSize(), c.dim()}, 'c'));
        this.keyCache = new float[c.layers()][(int) Math.min(Integer.MAX_VALUE, (long) c.seqLen() * c.kvDim())];
        this.valueCache = new float[c.layers()][keyCache[0].length];
        this.x = new float[c.dim()];
        this.xb = new float[c.dim()];
        this.xb2 = new float[c.dim()];
        this.q = new float[c.dim()];
        this.k = new float[c.kvDim()];
        this.v = new float[c.kvDim()];
        this.hb = new float[c.hiddenDim()];
        this.hb2 = new float[c.hiddenDim()];
        this.att = new float[c.seqLen()];
        this.logits = new float[c.vocabSize()];
    }

    /** Every matrix dense, multiplied by ND4J. */
    public static LlamaRuntime dense(Llama2cCheckpoint checkpoint) {
        return new LlamaRuntime(checkpoint.config(), name -> checkpoint.tensor(name).data().asFloat(),
                name -> new DenseLinear(checkpoint.tensor(name)));
    }

    /** The matrices stored N:M run on {@code kernel}, the others dense. */
    public static LlamaRuntime compressed(NmModelFile file, NmKernel kernel) {
        return new LlamaRuntime(CompressedLlama.config(file),
                name -> ((DenseTensor) CompressedLlama.entry(file, name)).values().clone(),
                name -> CompressedLlama.entry(file, name) instanceof NmMatrix m ? new NmLinear(m, kernel)
                        : new DenseLinear(((DenseTensor) CompressedLlama.entry(file, name)).toArray()));
    }

    public LlamaConfig config() {
        return c;
    }

    /** Bytes of the seven matrices of every layer as held (the classifier is the same either way). */
    public long matrixBytes() {
        long bytes = 0;
        for (Linear[] layer : linears) {
            for (Linear l : layer) {
                bytes += l.bytes();
            }
        }
        return bytes;
    }

    /**
     * The logits after {@code token} at position {@code pos}; positions must come in order from 0 (the cache holds
     * the keys and values of the earlier ones). The array is reused by the next call.
     */
    public float[] forward(int token, int pos) {
        if (token < 0 || token >= c.vocabSize() || pos < 0 || pos >= c.seqLen()) {
            throw new IllegalArgumentException("token " + token + " at position " + pos + " is outside the model's vocab "
                    + c.vocabSize() + " or seq_len " + c.seqLen());
        }
        int dim = c.dim();
        int kvDim = c.kvDim();
        int hs = c.headSize();
        System.arraycopy(embedding, token * dim, x, 0, dim);
        for (int l = 0; l < c.layers(); l++) {
            rmsNorm(xb, x, rmsAtt[l]);
            linears[l][0].multiply(xb, q);
            linears[l][1].multiply(xb, k);
            linears[l][2].multiply(xb, v);
            rotate(q, pos, hs);
            rotate(k, pos, hs);
            System.arraycopy(k, 0, keyCache[l], pos * kvDim, kvDim);
            System.arraycopy(v, 0, valueCache[l], pos * kvDim, kvDim);
            attend(l, pos, hs, kvDim);
            linears[l][3].multiply(xb, xb2);
            add(x, xb2);
            rmsNorm(xb, x, rmsFfn[l]);
            linears[l][4].multiply(xb, hb);
            linears[l][6].multiply(xb, hb2);
            for (int i = 0; i < hb.length; i++) {
                float g = hb[i];
                hb[i] = g / (1f + (float) Math.exp(-g)) * hb2[i];
            }
            linears[l][5].multiply(hb, xb);
            add(x, xb);
        }
        rmsNorm(xb, x, rmsFinal);
        classifier.multiply(xb, logits);
        return logits;
    }

    /** Multi-head attention of position {@code pos} over the cache; the context goes to {@code xb}. */
    private void attend(int l, int pos, int hs, int kvDim) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int h = 0; h < c.heads(); h++) {
            int qo = h * hs;
            int kvo = (h / c.groupSize()) * hs;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t <= pos; t++) {
                float score = 0;
                int ko = t * kvDim + kvo;
                for (int i = 0; i < hs; i++) {
                    score += q[qo + i] * keyCache[l][ko + i];
                }
                att[t] = score * scale;
                max = Math.max(max, att[t]);
            }
            float sum = 0;
            for (int t = 0; t <= pos; t++) {
                att[t] = (float) Math.exp(att[t] - max);
                sum += att[t];
            }
            for (int i = 0; i < hs; i++) {
                xb[qo + i] = 0;
            }
            for (int t = 0; t <= pos; t++) {
                float a = att[t] / sum;
                int vo = t * kvDim + kvo;
                for (int i = 0; i < hs; i++) {
                    xb[qo + i] += a * valueCache[l][vo + i];
                }
            }
        }
    }

    /** RoPE on adjacent pairs with the angle {@code pos · θ^(-2j/headSize)} of pair j within its head. */
    private static void rotate(float[] vec, int pos, int hs) {
        for (int i = 0; i < vec.length; i += 2) {
            double angle = pos * Math.pow(ROPE_THETA, -(double) (i % hs) / hs);
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            float a = vec[i];
            float b = vec[i + 1];
            vec[i] = a * cos - b * sin;
            vec[i + 1] = a * sin + b * cos;
        }
    }

    private static void rmsNorm(float[] out, float[] in, float[] weight) {
        float ss = 0;
        for (float f : in) {
            ss += f * f;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / in.length + RMS_EPS));
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] * inv * weight[i];
        }
    }

    private static void add(float[] acc, float[] delta) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += delta[i];
        }
    }
}
