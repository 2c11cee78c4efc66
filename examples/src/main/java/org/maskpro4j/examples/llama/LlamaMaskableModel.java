package org.maskpro4j.examples.llama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LlamaGraph} seen by mask learning: one {@link MaskableWeight} per selected linear weight
 * ({@code wq, wk, wv, wo, w1, w2, w3} of every block, in forward order; embedding and classifier stay dense), each an
 * {@code [out, in]} SameDiff variable with groups of M consecutive inputs ({@link GroupLayout.Kind#OUT_IN}).
 * Weights whose fan-in is not a multiple of M are left dense and listed in {@link #skipped()}.
 */
public final class LlamaMaskableModel implements MaskableModel<LlamaBatch> {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaMaskableModel.class);

    private final LlamaGraph graph;
    private final NmPattern pattern;
    private final List<MaskableWeight> weights;
    private final List<String> skipped;

    /** All seven linear weights of every block. */
    public LlamaMaskableModel(LlamaGraph graph, NmPattern pattern) {
        this(graph, pattern, LlamaNames.MATRICES);
    }

    /**
     * @param matrices which kinds of linear weight to mask, a subset of {@link LlamaNames#MATRICES}
     */
    public LlamaMaskableModel(LlamaGraph graph, NmPattern pattern, Collection<String> matrices) {
        this.graph = graph;
        this.pattern = pattern;
        Set<String> kinds = new LinkedHashSet<>(matrices);
        if (kinds.isEmpty() || !LlamaNames.MATRICES.containsAll(kinds)) {
            throw new IllegalArgumentException("Matrices to mask must be a non-empty subset of " + LlamaNames.MATRICES
                    + ", got " + matrices);
        }
        List<MaskableWeight> selected = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (int l = 0; l < graph.config().layers(); l++) {
            for (String kind : LlamaNames.MATRICES) {
                if (!kinds.contains(kind)) {
                    continue;
                }
                String name = LlamaNames.layer(l, kind);
                INDArray live = graph.weight(name);
                long fanIn = live.size(1);
                if (fanIn % pattern.m() != 0) {
                    String reason = name + " " + Arrays.toString(live.shape()) + ": fan-in " + fanIn
                            + " is not a multiple of M=" + pattern.m() + " (" + pattern + "), left dense";
                    LOG.warn("Skipping {}", reason);
                    left.add(reason);
                    continue;
                }
                selected.add(new ParamWeight(name, GroupLayout.of(name, GroupLayout.Kind.OUT_IN, live.shape(), pattern),
                        live));
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("No weight of " + kinds + " can carry " + pattern + ": " + left);
        }
        this.weights = List.copyOf(selected);
        this.skipped = List.copyOf(left);
        LOG.info("LLaMA maskable weights at {}: {} ({} skipped)", pattern, weights.size(), skipped.size());
    }

    @Override
    public List<MaskableWeight> weights() {
        return weights;
    }

    /** One line per weight left dense, saying why. */
    public List<String> skipped() {
        return skipped;
    }

    public NmPattern pattern() {
        return pattern;
    }

    public LlamaGraph graph() {
        return graph;
    }

    @Override
    public double loss(LlamaBatch batch) {
        return graph.loss(batch);
    }

    /**
     * Shape plus hashes of the token ids, targets and loss mask: equal for equal batches, so MaskPro evaluates the
     * prior mask once per batch instead of once per step.
     */
    @Override
    public String batchKey(LlamaBatch batch) {
        return Arrays.toString(batch.tokens().shape()) + ":" + Arrays.hashCode(batch.tokens().reshape(-1).toIntVector())
                + ":" + Arrays.hashCode(batch.targets().reshape(-1).toIntVector()) + ":"
                + Arrays.hashCode(batch.lossMask().reshape(-1).toFloatVector());
    }

    /**
     * The {@code [scored positions, in]} activations {@code weight} multiplies: RMS-normed block input for wq/wk/wv,
     * attention output for wo, RMS-normed residual for w1/w3, silu(w1 x)·(w3 x) for w2. Padded positions are dropped.
     */
    @Override
    public INDArray inputRows(MaskableWeight weight, LlamaBatch batch) {
        return inputRows(List.of(weight), batch).get(weight.name());
    }

    /** {@link #inputRows(MaskableWeight, LlamaBatch)} for several weights from one forward pass, keyed by weight name. */
    @Override
    public Map<String, INDArray> inputRows(List<MaskableWeight> requested, LlamaBatch batch) {
        Set<String> activations = new LinkedHashSet<>();
        for (MaskableWeight w : requested) {
            if (!weights.contains(w)) {
                throw new IllegalArgumentException("Weight '" + w.name() + "' does not belong to this LLaMA model");
            }
            activations.add(LlamaNames.inputOf(w.name()));
        }
        Map<String, INDArray> out = graph.output(batch, activations.toArray(new String[0]));
        int[] scoredRows = scoredRows(batch);
        Map<String, INDArray> rows = new LinkedHashMap<>();
        for (MaskableWeight w : requested) {
            INDArray all = out.get(LlamaNames.inputOf(w.name()));
            rows.put(w.name(), scoredRows.length == all.rows() ? all : Nd4j.pullRows(all, 1, scoredRows));
        }
        return rows;
    }

    /**
     * One group per transformer block: the Wanda and SparseGPT reference code calibrates all matrices of block l in
     * one forward pass, with blocks before l pruned and block l dense, and only this order reproduces its perplexities
     * (calibrating matrix by matrix, each matrix also sees the earlier matrices of its own block pruned, costs up to
     * 10 % perplexity on stories260K). It also needs one forward pass per block instead of one per matrix.
     */
    @Override
    public List<List<String>> calibrationGroups() {
        Map<Integer, List<String>> blocks = new LinkedHashMap<>();
        for (MaskableWeight w : weights) {
            blocks.computeIfAbsent(LlamaNames.layerOf(w.name()), layer -> new ArrayList<>()).add(w.name());
        }
        return List.copyOf(blocks.values());
    }

    /** Row indices of scored positions in the {@code [B·T]} flattening. */
    private static int[] scoredRows(LlamaBatch batch) {
        INDArray flat = batch.lossMask().reshape(-1);
        INDArray[] where = Nd4j.where(flat.gt(0), null, null);
        return where[0].toIntVector();
    }

}
