package org.maskpro4j.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.prior.MaskPrior;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prior stage: computes the learner's initial mask, or the best of several candidates, and leaves it applied to
 * the dense weights. A {@link ChosenPrior} from an earlier run is reused as it is.
 */
final class PriorStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(PriorStage.class);

    private final List<MaskPrior> candidates;
    private final ChosenPrior reused;
    private final PriorSelection selection;

    PriorStage(List<MaskPrior> candidates, ChosenPrior reused, PriorSelection selection) {
        if ((candidates == null || candidates.isEmpty()) == (reused == null)) {
            throw new IllegalArgumentException("A prior stage needs candidate priors or a chosen prior, not both");
        }
        this.candidates = candidates == null ? List.of() : List.copyOf(candidates);
        this.reused = reused;
        this.selection = selection;
    }

    @Override
    public String name() {
        return "prior";
    }

    @Override
    public <B> StageOutcome run(StageContext<B> context) {
        MaskableModel<B> model = context.model();
        ChosenPrior chosen = reused;
        Map<String, Object> details = new LinkedHashMap<>();
        if (chosen == null) {
            Map<String, Object> scores = new LinkedHashMap<>();
            double best = Double.POSITIVE_INFINITY;
            for (MaskPrior candidate : candidates) {
                Map<String, INDArray> masks = compute(model, candidate, context.train());
                if (candidates.size() == 1) {
                    chosen = new ChosenPrior(candidate.name(), masks, null);
                    break;
                }
                Map<String, Object> heldOut = selection == PriorSelection.HELD_OUT ? measure(context) : null;
                double score = heldOut != null ? HeldOut.score(heldOut) : meanLoss(model, context.train());
                scores.put(candidate.name(), score);
                LOG.info("Prior {}: {} {}", candidate.name(), selection == PriorSelection.HELD_OUT ? "held-out score"
                        : "training loss", String.format("%.5f", score));
                if (score < best) {
                    best = score;
                    chosen = new ChosenPrior(candidate.name(), masks, heldOut);
                }
            }
            if (!scores.isEmpty()) {
                details.put("candidates", scores);
                details.put("selection", selection.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            }
        }
        apply(model, chosen.masks());
        context.prior(chosen);
        details.put("prior", chosen.name());
        LOG.info("Prior: {}", chosen.name());
        return new StageOutcome(chosen.masks(), true, 0, details, chosen.heldOut());
    }

    private static <B> Map<String, INDArray> compute(MaskableModel<B> model, MaskPrior prior, List<B> train) {
        model.weights().forEach(MaskableWeight::restoreDense);
        Map<String, INDArray> masks = prior.masks(model, train);
        apply(model, masks);
        return masks;
    }

    private static Map<String, Object> measure(StageContext<?> context) {
        if (context.heldOut() == null) {
            throw new IllegalArgumentException("Choosing the prior on held-out data needs held-out data; give the"
                    + " pipeline a HeldOut or choose on the training loss");
        }
        return context.heldOut().measure();
    }

    static void apply(MaskableModel<?> model, Map<String, INDArray> masks) {
        for (MaskableWeight w : model.weights()) {
            INDArray m = masks.get(w.name());
            if (m == null) {
                throw new IllegalArgumentException("The prior has no mask for weight '" + w.name() + "'; it covers "
                        + masks.keySet());
            }
            w.applyMask(m);
        }
    }

    private static <B> double meanLoss(MaskableModel<B> model, List<B> batches) {
        return batches.stream().mapToDouble(model::loss).average().orElseThrow(
                () -> new IllegalArgumentException("Choosing the best prior needs training batches; none were given"));
    }
}
