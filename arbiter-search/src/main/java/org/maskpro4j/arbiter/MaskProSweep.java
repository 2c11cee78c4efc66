package org.maskpro4j.arbiter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

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
        BaseCandidateGenerator<?> generator;
        int count;
        String search;
        if (grid) {
            // Sequential: RandomOrder shuffles in the constructor, before any seed can reach its generator
            GridSearchCandidateGenerator g = new GridSearchCandidateGenerator(space, gridPoints,
                    GridSearchCandidateGenerator.Mode.Sequential, null);
            count = candidates == null ? g.getTotalNumCandidates() : Math.min(candidates, g.getTotalNumCandidates());
            generator = g;
            search = "grid search, " + gridPoints + " points per continuous axis, " + count + " of "
                    + g.getTotalNumCandidates() + " grid candidates";
        } else {
            generator = new RandomSearchGenerator(space, null);
            generator.setRngSeed(seed);
            count = candidates == null ? Builder.DEFAULT_RANDOM_CANDIDATES : candidates;
            search = "random search, " + count + " candidates, seed " + seed;
        }
        LOG.info("MaskPro sweep: {} over {}", search, space);

        MaskProTaskCreator<B> tasks = new MaskProTaskCreator<>(target);
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(new CappedGenerator(generator, count))
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
        SweepResult result = new SweepResult(target.scoreName(), search, records, (System.nanoTime() - t0) / 1e9);
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
