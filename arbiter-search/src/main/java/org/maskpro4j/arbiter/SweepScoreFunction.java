package org.maskpro4j.arbiter;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.maskpro4j.weights.MaskableModel;

/** Arbiter's view of {@link SweepTarget#score}: minimised, on a masked {@link MaskableModel}. */
public final class SweepScoreFunction implements ScoreFunction {
    private static final long serialVersionUID = 1L;

    // sweeps run in this JVM, so the target (a live model and its data) is never serialised
    private final transient SweepTarget<?> target;

    public SweepScoreFunction(SweepTarget<?> target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    public String name() {
        return target.scoreName();
    }

    @Override
    public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
        return score(model);
    }

    @Override
    public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
        return score(model);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private double score(Object model) {
        if (!(model instanceof MaskableModel)) {
            throw new IllegalArgumentException("SweepScoreFunction scores a MaskableModel, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        return ((SweepTarget) target).score((MaskableModel) model);
    }

    @Override
    public boolean minimize() {
        return true;
    }

    @Override
    public List<Class<?>> getSupportedModelTypes() {
        return List.of(MaskableModel.class);
    }

    @Override
    public List<Class<?>> getSupportedDataTypes() {
        return List.of(Object.class);
    }

    @Override
    public String toString() {
        return "SweepScoreFunction(" + target.scoreName() + ", minimise)";
    }
}
