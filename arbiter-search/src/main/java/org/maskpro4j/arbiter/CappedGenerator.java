package org.maskpro4j.arbiter;

import java.util.Objects;

import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;

/**
 * Stops a generator after exactly {@code limit} candidates, counting those that fail when generated. Arbiter
 * beta7's MaxCandidatesCondition counts only candidates that ran, so with a generation failure a random search
 * overshoots and a grid search waits forever for a candidate that never comes.
 */
final class CappedGenerator implements CandidateGenerator {
    private final CandidateGenerator delegate;
    private final int limit;
    private int generated;

    CappedGenerator(CandidateGenerator delegate, int limit) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (limit < 1) {
            throw new IllegalArgumentException("A sweep needs at least one candidate, got " + limit);
        }
        this.limit = limit;
    }

    @Override
    public boolean hasMoreCandidates() {
        return generated < limit && delegate.hasMoreCandidates();
    }

    @Override
    public Candidate getCandidate() {
        generated++;
        return delegate.getCandidate();
    }

    @Override
    public void reportResults(OptimizationResult result) {
        delegate.reportResults(result);
    }

    @Override
    public ParameterSpace<?> getParameterSpace() {
        return delegate.getParameterSpace();
    }

    @Override
    public void setRngSeed(long rngSeed) {
        delegate.setRngSeed(rngSeed);
    }

    @Override
    public Class<?> getCandidateType() {
        return MaskProCandidate.class;
    }
}
