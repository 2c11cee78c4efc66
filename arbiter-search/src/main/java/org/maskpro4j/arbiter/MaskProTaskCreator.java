package org.maskpro4j.arbiter;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.maskpro4j.method.ChosenPrior;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.OneShotOptions;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.method.StageReport;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one MaskPro job per {@link MaskProCandidate} on a {@link SweepTarget}, as a {@link MaskPipeline}: the one-shot
 * prior on the training batches, MaskPro from that prior, each scored on the target's held-out data. A
 * candidate that diverges, scores NaN or is rejected by the model or MaskPro is recorded as failed with its
 * reason, so the sweep goes on. Every outcome is kept in {@link #records()}, also those Arbiter does not keep.
 */
public final class MaskProTaskCreator<B> implements TaskCreator {
    private static final Logger LOG = LoggerFactory.getLogger(MaskProTaskCreator.class);

    private static final String SCORE = "score";

    private final SweepTarget<B> target;
    private final Map<Integer, SweepRecord> records = new ConcurrentHashMap<>();
    /** Candidates that differ only in MaskPro's own settings share the prior: calibrate it once, score it once. */
    private final Map<PriorKey, ChosenPrior> priors = new ConcurrentHashMap<>();

    private record PriorKey(String prior, NmPattern pattern, int examples) {
    }

    public MaskProTaskCreator(SweepTarget<B> target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** Outcomes of the candidates run so far, by candidate index. */
    public Map<Integer, SweepRecord> records() {
        return Map.copyOf(records);
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider, ScoreFunction scoreFunction,
            List<StatusListener> statusListeners, IOptimizationRunner runner) {
        return () -> run(candidate, model -> scoreFunction.score(model, dataProvider, candidate.getDataParameters()));
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource,
            Properties dataSourceProperties, ScoreFunction scoreFunction, List<StatusListener> statusListeners,
            IOptimizationRunner runner) {
        return () -> run(candidate, model -> scoreFunction.score(model, dataSource, dataSourceProperties));
    }

    private OptimizationResult run(Candidate<?> candidate, ToDoubleFunction<Object> scorer) {
        long created = System.currentTimeMillis();
        int index = candidate.getIndex();
        if (!(candidate.getValue() instanceof MaskProCandidate mc)) {
            throw new IllegalArgumentException("MaskProTaskCreator runs MaskProCandidates (from a MaskProSpace), got "
                    + candidate.getValue());
        }
        SweepRecord record = run(index, mc, scorer);
        CandidateInfo info = new CandidateInfo(index, record.ok() ? CandidateStatus.Complete : CandidateStatus.Failed,
                record.ok() ? record.score() : null, created, created, System.currentTimeMillis(),
                candidate.getFlatParameters(), record.reason());
        return new OptimizationResult(candidate, record.ok() ? record.score() : null, index, record, info, null);
    }

    /** Runs candidate {@code index} outside Arbiter's runner (e.g. as a Spark task), scored by the target. */
    @SuppressWarnings("unchecked")
    public SweepRecord run(int index, MaskProCandidate mc) {
        return run(index, mc, model -> target.score((MaskableModel<B>) model));
    }

    private SweepRecord run(int index, MaskProCandidate mc, ToDoubleFunction<Object> scorer) {
        long t0 = System.nanoTime();
        SweepRecord record;
        try {
            record = evaluate(index, mc, scorer, t0);
            LOG.info("Candidate {} {}: {} {} (prior {}), {}% of groups changed, {} s", index, mc.params(),
                    target.scoreName(), fmt(record.score()), fmt(record.priorScore()),
                    String.format(Locale.ROOT, "%.2f", 100 * record.changedFromPrior()), String.format(Locale.ROOT, "%.2f", record.seconds()));
        } catch (Exception e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            record = SweepRecord.failed(index, mc.params(), mc, seconds(t0), reason);
            LOG.warn("Candidate {} {} failed: {}", index, mc.params(), reason);
            LOG.debug("Candidate {} failure", index, e);
        }
        records.put(index, record);
        return record;
    }

    private SweepRecord evaluate(int index, MaskProCandidate mc, ToDoubleFunction<Object> scorer, long t0) {
        MaskableModel<B> model = target.freshModel(mc.config().pattern());
        try {
            List<B> train = target.train(mc.examples());
            PriorKey key = new PriorKey(mc.prior(), mc.config().pattern(), mc.examples());
            MaskPipeline.Builder pipeline = MaskPipeline.builder()
                    .method(MaskMethods.create(MaskMethods.MASKPRO, MethodSettings.builder(mc.config()).build()));
            ChosenPrior cached = priors.get(key);
            if (cached == null) {
                pipeline.prior(MaskMethods.prior(mc.prior(), OneShotOptions.DEFAULTS));
            } else {
                pipeline.prior(cached);
                LOG.info("Candidate {}: prior {} reused from an earlier candidate ({} {})", index, key,
                        target.scoreName(), fmt(score(cached.heldOut())));
            }
            PipelineResult run = pipeline.build().run(model, train, () -> Map.of(SCORE, scorer.applyAsDouble(model)));
            StageReport prior = run.stage("prior");
            double priorScore = finite(score(prior.heldOut()), "the prior mask's score");
            priors.putIfAbsent(key, new ChosenPrior(run.prior().name(), run.prior().masks(), prior.heldOut()));
            double score = finite(score(run.stage("mask").heldOut()), "the final mask's score");
            return SweepRecord.ok(index, mc, score, priorScore, run.mask().changedFromPrior(), seconds(t0));
        } finally {
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    private static double score(Map<String, Object> heldOut) {
        return ((Number) heldOut.get(SCORE)).doubleValue();
    }

    private double finite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalStateException(target.scoreName() + " of " + what + " is " + value);
        }
        return value;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.5f", v);
    }
}
