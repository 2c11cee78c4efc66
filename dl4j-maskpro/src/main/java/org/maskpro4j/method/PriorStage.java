package org.maskpro4j.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.maskpro4j.prior.MaskPrior;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prior stage: the learner's initial mask, or the best of several candidates, left applied to the dense weights.
 * A candidate is a {@link MaskPrior} (computed here) or a {@link ChosenPrior} computed before (used as it is, its
 * held-out metrics too when it has them). The one place that chooses a "best prior".
 */
final class PriorStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(PriorStage.class);

    private final List<Object> candidates;
    private final PriorSelection selection;

    /** @param candidates {@link MaskPrior}s and {@link ChosenPrior}s, in order of preference on a tie */
    PriorStage(List<Object> candidates, PriorSelection selection) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("A prior stage needs at least one candidate prior");
        }
        for (Object c : candidates) {
            if (!(c instanceof MaskPrior) && !(c instanceof ChosenPrior)) {
                throw new IllegalArgumentException("A prior candidate is a MaskPrior or a ChosenPrior, got " + c);
            }
        }
        this.candidates = List.copyOf(candidates);
        this.selection = selection;
    }

    @Override
    public String name() {
        return "prior";
    }

    @Override
    public <B> StageOutcome run(StageContext<B> context) {
        MaskableModel<B> model = context.model();
        ChosenPrior chosen = null;
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, Object> scores = new LinkedHashMap<>();
        double best = Double.POSITIVE_INFINITY;
        for (Object candidate : candidates) {
            ChosenPrior prior = candidate instanceof ChosenPrior given ? given : compute(model, (MaskPrior) candidate,
                    context.train());
            if (candidates.size() == 1) {
                chosen = prior;
                break;
            }
            double score;
            if (selection == PriorSelection.TRAINING_LOSS) {
                apply(model, prior.masks());
                score = meanLoss(model, context.train());
            } else {
                // measured once: the winner keeps its metrics, so the pipeline does not measure it again
                prior = prior.heldOut() != null ? prior : new ChosenPrior(prior.name(), prior.masks(), measure(context, prior));
                score = HeldOut.score(prior.heldOut());
            }
            scores.put(prior.name(), score);
            LOG.info("Prior {}: {} {}", prior.name(), selection == PriorSelection.HELD_OUT ? "held-out score"
                    : "training loss", String.format("%.5f", score));
            if (score < best) {
                best = score;
                chosen = prior;
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("No candidate prior has a finite score: " + scores);
        }
        if (!scores.isEmpty()) {
            details.put("candidates", scores);
            details.put("selection", selection.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        apply(model, chosen.masks());
        context.prior(chosen);
        details.put("prior", chosen.name());
        LOG.info("Prior: {}", chosen.name());
        return new StageOutcome(chosen.masks(), true, 0, details, chosen.heldOut());
    }

    private static Map<String, Object> measure(StageContext<?> context, ChosenPrior prior) {
        if (context.heldOut() == null) {
            throw new IllegalArgumentException("Choosing the prior on held-out data needs held-out data; give the"
                    + " pipeline a HeldOut or choose on the training loss");
        }
        apply(context.model(), prior.masks());
        return context.heldOut().measure();
    }

    private static <B> ChosenPrior compute(MaskableModel<B> model, MaskPrior prior, List<B> train) {
        model.weights().forEach(MaskableWeight::restoreDense);
        return new ChosenPrior(prior.name(), prior.masks(model, train), null);
    }

    static void apply(MaskableModel<?> model, Map<String, INDArray> masks) {
        for (MaskableWeight w : model.weights()) {
            PackedMasks.applyTo(w, masks); // a chosen prior's masks are packed: applied from their bits
        }
    }

    private static <B> double meanLoss(MaskableModel<B> model, List<B> batches) {
        return batches.stream().mapToDouble(model::loss).average().orElseThrow(
                () -> new IllegalArgumentException("Choosing the best prior needs training batches; none were given"));
    }
}
