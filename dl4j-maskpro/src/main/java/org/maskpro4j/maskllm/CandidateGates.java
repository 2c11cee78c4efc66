package org.maskpro4j.maskllm;

import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.Candidates;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.GroupRows;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * MaskLLM's parameters: one gate logit per candidate mask per group (maskpro-spec §4.1), for all groups of all
 * weights in one {@code [groups, K]} matrix, so the relaxation and its gradient are a few ND4J ops per step
 * whatever the number of layers. Each weight owns a contiguous block of rows; S is the {@code [K, M]} candidate
 * matrix of {@link Candidates}. Gates are kept in the weights' floating type.
 */
final class CandidateGates {
    private final NmPattern pattern;
    private final GroupRows rows;
    private final INDArray candidates;
    private final INDArray gates;

    private CandidateGates(NmPattern pattern, List<MaskableWeight> weights, INDArray gates) {
        this.pattern = pattern;
        this.rows = rows(pattern, weights);
        this.candidates = Candidates.of(pattern).castTo(gates.dataType());
        this.gates = gates;
    }

    /** The gates' initial draw's stream of {@link GumbelTopN#derive}, apart from every step's noise streams. */
    private static final long INIT_STREAM = 1;

    /**
     * Gates drawn i.i.d. N(0, initStd²) from {@code seed}; with a prior, each weight's gates then move towards the
     * prior's candidate: gate += (overlap − N/2)·σ·strength, where overlap = prior·Sᵀ counts the positions a candidate
     * shares with the prior mask and σ is the standard deviation of that weight's gates (maskpro-spec §4.2).
     *
     * @param priorMasks {@code [groups, M]} 0/1 mask per weight name, or null for no prior
     */
    public static CandidateGates initialise(NmPattern pattern, List<MaskableWeight> weights, double initStd, long seed,
            Map<String, INDArray> priorMasks, double priorStrength) {
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("MaskLLM needs at least one maskable weight");
        }
        DataType type = weights.get(0).dense().dataType();
        if (!type.isFPType()) {
            throw new IllegalArgumentException("Weight '" + weights.get(0).name() + "' has type " + type
                    + "; MaskLLM needs floating-point weights");
        }
        long groups = rows(pattern, weights).count();
        INDArray gates;
        // an M2.1 generator made with seed 0 draws differently every time, and 0 is the default seed: mix it first
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(GumbelTopN.derive(seed, INIT_STREAM))) {
            gates = Nd4j.randn(rng, groups, Candidates.count(pattern)).castTo(type).muli(initStd);
        } catch (Exception e) {
            throw new IllegalStateException("Could not release the ND4J random generator", e);
        }
        CandidateGates g = new CandidateGates(pattern, weights, gates);
        if (priorMasks != null) {
            g.addPrior(priorMasks, priorStrength);
        }
        return g;
    }

    private static GroupRows rows(NmPattern pattern, List<MaskableWeight> weights) {
        return new GroupRows(pattern, weights, "MaskLLM was configured for");
    }

    private void addPrior(Map<String, INDArray> priorMasks, double strength) {
        for (int i = 0; i < rows.weights().size(); i++) {
            MaskableWeight w = rows.weights().get(i);
            INDArray prior = priorMasks.get(w.name());
            if (prior == null) {
                throw new IllegalArgumentException("The prior has no mask for weight '" + w.name() + "'; it covers "
                        + priorMasks.keySet());
            }
            long groups = rows.count(i);
            if (prior.rank() != 2 || prior.size(0) != groups || prior.size(1) != pattern.m()) {
                throw new IllegalArgumentException("Prior mask of weight '" + w.name() + "' has shape "
                        + java.util.Arrays.toString(prior.shape()) + ", expected [" + groups + ", " + pattern.m() + "]");
            }
            INDArray block = slice(gates, i);
            double sigma = block.stdNumber().doubleValue();
            INDArray overlap = prior.castTo(gates.dataType()).mmul(candidates.transpose());
            block.addi(overlap.subi(pattern.n() / 2.0).muli(sigma * strength));
        }
    }

    public NmPattern pattern() {
        return pattern;
    }

    public List<MaskableWeight> weights() {
        return rows.weights();
    }

    public long groupCount() {
        return rows.count();
    }

    /** K = C(M, N). */
    public long candidateCount() {
        return candidates.size(0);
    }

    /** The live {@code [groups, K]} gate matrix (learner state). */
    public INDArray gates() {
        return gates;
    }

    /** S, {@code [K, M]}. */
    public INDArray candidates() {
        return candidates;
    }

    /**
     * Fresh standard Gumbel noise {@code [groups, K]} for one step: weight i's block comes from
     * {@code derive(seed, step, i)}, so a weight's noise does not depend on which other weights are learned.
     */
    public INDArray noise(long seed, long step) {
        INDArray noise = Nd4j.create(gates.dataType(), groupCount(), candidateCount());
        for (int i = 0; i < rows.weights().size(); i++) {
            slice(noise, i).assign(GumbelTopN.gumbel(GumbelTopN.derive(seed, step, i), rows.count(i), candidateCount()));
        }
        return noise;
    }

    /** ỹ = softmax((κ·gates + g)/τ) per group: the relaxed one-hot choice of a candidate, {@code [groups, K]}. */
    public INDArray relaxed(INDArray noise, double kappa, double tau) {
        INDArray z = gates.mul(kappa).addi(noise).divi(tau);
        return Transforms.softmax(z, false);
    }

    /** M̃ = ỹ·S, {@code [groups, M]} with entries in [0, 1]. */
    public INDArray softMask(INDArray relaxed) {
        return relaxed.mmul(candidates);
    }

    /**
     * dObjective/dgates from dObjective/dM̃: with u = (dObjective/dM̃)·Sᵀ, the softmax Jacobian gives
     * (κ/τ)·ỹ ⊙ (u − ⟨u, ỹ⟩) per group.
     */
    public INDArray gateGradient(INDArray relaxed, INDArray maskGradient, double kappa, double tau) {
        INDArray u = maskGradient.mmul(candidates.transpose());
        INDArray inner = u.mul(relaxed).sum(true, 1);
        return u.subiColumnVector(inner).muli(relaxed).muli(kappa / tau);
    }

    /** The final mask: per group, the candidate with the largest gate (eval mode of the official code). */
    public INDArray winnerMask() {
        INDArray winner = Nd4j.argMax(gates, 1);
        INDArray oneHot = Nd4j.exec(new OneHot(winner, (int) candidateCount(), -1, 1.0, 0.0, gates.dataType()))[0];
        return oneHot.reshape(groupCount(), candidateCount()).mmul(candidates);
    }

    /** Makes the model compute with {@code dense ⊙ mask} for every weight; {@code mask} is {@code [groups, M]}. */
    public void apply(INDArray mask) {
        rows.apply(mask);
    }

    /** Rows of {@code matrix} that belong to weight {@code index}. */
    public INDArray slice(INDArray matrix, int index) {
        return rows.slice(matrix, index);
    }

    /** Per-weight copies of a full {@code [groups, ·]} matrix, keyed by weight name. */
    public Map<String, INDArray> split(INDArray matrix) {
        return rows.split(matrix);
    }
}
