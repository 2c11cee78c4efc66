package org.maskpro4j.arbiter;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one sweep candidate gave: its hyperparameters and either its score (with the prior's score on the same
 * held-out data, for comparison) or the reason it failed.
 */
public final class SweepRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int index;
    private final Map<String, Object> params;
    private final MaskProCandidate candidate;
    private final double score;
    private final double priorScore;
    private final double changedFromPrior;
    private final double seconds;
    private final String reason;

    private SweepRecord(int index, Map<String, Object> params, MaskProCandidate candidate, double score,
            double priorScore, double changedFromPrior, double seconds, String reason) {
        this.index = index;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.candidate = candidate;
        this.score = score;
        this.priorScore = priorScore;
        this.changedFromPrior = changedFromPrior;
        this.seconds = seconds;
        this.reason = reason;
    }

    /**
     * @param changedFromPrior share of groups whose final mask differs from the prior's
     */
    public static SweepRecord ok(int index, MaskProCandidate candidate, double score, double priorScore,
            double changedFromPrior, double seconds) {
        Objects.requireNonNull(candidate, "candidate");
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("An ok sweep record needs a finite score, got " + score);
        }
        return new SweepRecord(index, candidate.params(), candidate, score, priorScore, changedFromPrior, seconds, null);
    }

    /**
     * @param candidate null when the point failed before it became a candidate (MaskProConfig rejected it)
     */
    public static SweepRecord failed(int index, Map<String, Object> params, MaskProCandidate candidate, double seconds,
            String reason) {
        return new SweepRecord(index, params, candidate, Double.NaN, Double.NaN, Double.NaN, seconds,
                Objects.requireNonNull(reason, "reason"));
    }

    /** The candidate number Arbiter gave it, from 0 in generation order. */
    public int index() {
        return index;
    }

    public Map<String, Object> params() {
        return params;
    }

    public Optional<MaskProCandidate> candidate() {
        return Optional.ofNullable(candidate);
    }

    public boolean ok() {
        return reason == null;
    }

    /** "ok" or "failed". */
    public String status() {
        return ok() ? "ok" : "failed";
    }

    /** Score of the final mask; NaN when failed. */
    public double score() {
        return score;
    }

    /** Score of the prior mask on the same model and data; NaN when failed. */
    public double priorScore() {
        return priorScore;
    }

    /** Share of groups whose final mask differs from the prior's; NaN when failed. */
    public double changedFromPrior() {
        return changedFromPrior;
    }

    /** Wall time of the candidate (prior, MaskPro and both scores). */
    public double seconds() {
        return seconds;
    }

    /** Why it failed; null when ok. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "#" + index + " " + params + (ok() ? " → " + score + " (prior " + priorScore + ")" : " failed: " + reason);
    }
}
