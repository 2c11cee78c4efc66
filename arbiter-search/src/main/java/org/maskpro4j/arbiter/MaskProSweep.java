package org.maskpro4j.arbiter;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.BaseCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MaskPro hyperparameter sweep through Arbiter: random or grid search over a {@link MaskProSpace}, one
 * MaskPro job per candidate on a {@link SweepTarget}, run one at a time by Arbiter's local runner.
 * <pre>{@code
 * SweepResult r = MaskProSweep.builder().space(space).candidates(8).seed(42).grid(false).build().run(target);
 * r.writeAll(Path.of("sweep"));
 * }</pre>
 * The same seed gives the same candidates and, as MaskPro is seeded, the same scores.
 */
public final class MaskProSweep {
    private static final Logger LOG = LoggerFactory.getLogger(MaskProSweep.class);

    private final MaskProSpace space;
    private final Integer candidates;
    private final long seed;
    private final boolean grid;
    private final int gridPoints;

    private MaskProSweep(Builder b) {
        this.space = b.space;
        this.candidates = b.candidates;
        this.seed = b.seed;
        this.grid = b.grid;
        this.gridPoints = b.gridPoints;
    }

    public static Builder builder() {
        return new Builder();
    }

    public <B> SweepResult run(SweepTarget<B> target) {
        Objects.requireNonNull(target, "target");
        long t0 = System.nanoTime();
        Plan plan = plan();
        MaskProTaskCreator<B> tasks = new MaskProTaskCreator<>(target);
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(new CappedGenerator(plan.generator(), plan.count()))
                .scoreFunction(new SweepScoreFunction(target))
                .terminationConditions(SweepRunner.DONE)
                .build();
        SweepRunner runner = new SweepRunner(config, tasks);
        runner.execute();

        Map<Integer, SweepRecord> done = tasks.records();
        List<SweepRecord> records = new ArrayList<>(done.values());
        for (CandidateInfo info : runner.getCandidateStatus()) {
            if (!done.containsKey(info.getIndex())) {
                records.add(SweepRecord.failed(info.getIndex(), space.describe(info.getFlatParams()), null, 0,
                        reasonOf(info.getExceptionStackTrace())));
            }
        }
        return done(target.scoreName(), plan, records, t0);
    }

    /** A candidate as drawn, by its index in the sweep; it travels to wherever it runs. */
    public record IndexedCandidate(int index, MaskProCandidate candidate) implements Serializable {
    }

    /** Runs candidates elsewhere than Arbiter's local runner (e.g. as Spark tasks), one record per candidate. */
    @FunctionalInterface
    public interface CandidateRunner {
        List<SweepRecord> run(List<IndexedCandidate> candidates);
    }

    /**
     * The same candidates as {@link #run(SweepTarget)}, drawn in the same order from the same seed, run by
     * {@code runner}; each runs as {@link MaskProTaskCreator#run(int, MaskProCandidate)} runs it.
     */
    public SweepResult run(String scoreName, CandidateRunner runner) {
        long t0 = System.nanoTime();
        Plan plan = plan();
        CappedGenerator generator = new CappedGenerator(plan.generator(), plan.count());
        List<IndexedCandidate> todo = new ArrayList<>();
        List<SweepRecord> records = new ArrayList<>();
        while (generator.hasMoreCandidates()) {
            Candidate<?> c = generator.getCandidate();
            if (c.getException() == null && c.getValue() instanceof MaskProCandidate mc) {
                todo.add(new IndexedCandidate(c.getIndex(), mc));
            } else {
                records.add(SweepRecord.failed(c.getIndex(), space.describe(c.getFlatParameters()), null, 0,
                        reasonOf(c.getException() == null ? null : c.getException().toString())));
            }
        }
        records.addAll(runner.run(todo));
        return done(scoreName, plan, records, t0);
    }

    private record Plan(BaseCandidateGenerator<?> generator, int count, String search) {
    }

    private Plan plan() {
        Plan plan;
        if (grid) {
            // Sequential: RandomOrder shuffles in the constructor, before any seed can reach its generator
            GridSearchCandidateGenerator g = new GridSearchCandidateGenerator(space, gridPoints,
                    GridSearchCandidateGenerator.Mode.Sequential, null);
            int count = candidates == null ? g.getTotalNumCandidates() : Math.min(candidates, g.getTotalNumCandidates());
            plan = new Plan(g, count, "grid search, " + gridPoints + " points per continuous axis, " + count + " of "
                    + g.getTotalNumCandidates() + " grid candidates");
        } else {
            RandomSearchGenerator g = new RandomSearchGenerator(space, null);
            g.setRngSeed(seed);
            int count = candidates == null ? Builder.DEFAULT_RANDOM_CANDIDATES : candidates;
            plan = new Plan(g, count, "random search, " + count + " candidates, seed " + seed);
        }
        LOG.info("MaskPro sweep: {} over {}", plan.search(), space);
        return plan;
    }

    private static SweepResult done(String scoreName, Plan plan, List<SweepRecord> records, long t0) {
        SweepResult result = new SweepResult(scoreName, plan.search(), records, (System.nanoTime() - t0) / 1e9);
        double inCandidates = result.records().stream().mapToDouble(SweepRecord::seconds).sum();
        LOG.info("MaskPro sweep done: {} candidates, {} failed, {} s ({} s outside the candidates); best: {}",
                result.records().size(), result.failedCount(), String.format(Locale.ROOT, "%.1f", result.seconds()),
                String.format(Locale.ROOT, "%.1f", result.seconds() - inCandidates),
                result.best().map(SweepRecord::toString).orElse("none, every candidate failed"));
        return result;
    }

    /** The exception line of Arbiter's stack trace (its message), or a note when Arbiter kept none. */
    private static String reasonOf(String stackTrace) {
        if (stackTrace == null || stackTrace.isBlank()) {
            return "the candidate ended without a result; see the log";
        }
        return stackTrace.lines().findFirst().orElse(stackTrace).replaceFirst("^[\\w.$]*\\.(\\w+(Exception|Error))", "$1");
    }

    public static final class Builder {
        static final int DEFAULT_RANDOM_CANDIDATES = 10;

        private MaskProSpace space = MaskProSpace.builder().build();
        private Integer candidates;
        private long seed;
        private boolean grid;
        private int gridPoints = 3;

        private Builder() {
        }

        public Builder space(MaskProSpace space) {
            this.space = Objects.requireNonNull(space, "space");
            return this;
        }

        /** Random search: how many candidates (default 10). Grid search: at most this many (default the whole grid). */
        public Builder candidates(int candidates) {
            if (candidates < 1) {
                throw new IllegalArgumentException("A sweep needs at least one candidate, got " + candidates);
            }
            this.candidates = candidates;
            return this;
        }

        /** Seed of the random search's draws. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Grid search instead of random search. */
        public Builder grid(boolean grid) {
            this.grid = grid;
            return this;
        }

        /** Grid search: values per continuous axis, from min to max (integer axes: at most this many). */
        public Builder gridPoints(int gridPoints) {
            if (gridPoints < 2) {
                throw new IllegalArgumentException("A grid needs at least 2 points per axis, got " + gridPoints);
            }
            this.gridPoints = gridPoints;
            return this;
        }

        public MaskProSweep build() {
            return new MaskProSweep(this);
        }
    }
}
