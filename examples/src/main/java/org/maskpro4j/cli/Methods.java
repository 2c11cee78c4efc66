package org.maskpro4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.maskllm.MaskLlmResult;
import org.maskpro4j.prior.OneShotPrior;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.OneShotResult;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a pruning method by its command-line name on a maskable model, starting from its dense weights. */
public final class Methods {
    public static final List<String> NAMES = List.of("magnitude", "wanda", "sparsegpt", "sparsegpt-mask", "maskpro", "maskllm");

    private Methods() {
    }

    /**
     * @param prior      one-shot method whose mask MaskPro starts from (ignored by the one-shot methods)
     * @param checkpoint MaskPro checkpoint file, or null
     */
    public static <B> MethodRun run(String method, MaskableModel<B> model, List<B> train, MaskProConfig config,
            String prior, Path checkpoint) {
        return run(method, model, train, config, prior, checkpoint, null);
    }

    /** @param selection held-out batches on which MaskPro keeps its best mask, or null for its last one */
    public static <B> MethodRun run(String method, MaskableModel<B> model, List<B> train, MaskProConfig config,
            String prior, Path checkpoint, List<B> selection) {
        String name = method.toLowerCase(Locale.ROOT);
        long t0 = System.nanoTime();
        model.weights().forEach(MaskableWeight::restoreDense);
        if (name.equals("maskpro")) {
            Map<String, INDArray> priorMasks = OneShotPrior.parse(prior).masks(model, train);
            MaskProResult r = new MaskProLearner(config, checkpoint).learn(model, train, priorMasks, selection);
            return new MethodRun(name, r.masks(), r.steps(), r.history(), seconds(t0), r.selection(), r.selectedStep());
        }
        if (name.equals("maskllm")) {
            if (!(model instanceof DifferentiableModel<B> differentiable)) {
                throw new UserError("MaskLLM learns by backpropagation, which this model kind does not offer here;"
                        + " use --method maskpro");
            }
            Map<String, INDArray> priorMasks = OneShotPrior.parse(prior).masks(model, train);
            MaskLlmConfig c = MaskLlmConfig.builder().pattern(config.pattern()).steps(config.steps()).seed(config.seed())
                    .logEvery(config.logEvery()).build();
            MaskLlmResult r = new MaskLlmLearner(c).learn(differentiable, train, priorMasks);
            return new MethodRun(name, r.masks(), r.steps(), List.of(), seconds(t0));
        }
        requireKnown(method);
        OneShotResult r = oneShot(name, model, train);
        return new MethodRun(name, r.masks(), 0, List.of(), seconds(t0));
    }

    /** Checks a method name before any model or data is loaded. */
    public static String requireKnown(String method) {
        if (!NAMES.contains(method.toLowerCase(Locale.ROOT))) {
            throw new UserError("Unknown method \"" + method + "\": choose one of " + NAMES);
        }
        return method;
    }

    private static <B> OneShotResult oneShot(String name, MaskableModel<B> model, List<B> calibration) {
        PruneMethod method;
        try {
            method = PruneMethod.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UserError("Unknown method \"" + name + "\": choose one of " + NAMES);
        }
        return OneShotPruner.builder(method).build().prune(model, calibration);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
