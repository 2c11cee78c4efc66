package org.maskpro4j.method;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.prior.MaskPrior;
import org.maskpro4j.prior.OneShotPrior;
import org.maskpro4j.prior.PruneMethod;

/**
 * The one registry of mask methods and priors, by name. Methods: the one-shot pruners ({@link PruneMethod}'s names:
 * magnitude, wanda, sparsegpt with its weight update, sparsegpt-mask) and the learners maskpro and maskllm. Priors
 * (where a learner starts): the one-shot methods' masks on the dense weights, so "sparsegpt" as a prior is the mask
 * of the weight-update run with its update dropped.
 */
public final class MaskMethods {
    public static final String MASKPRO = "maskpro";
    public static final String MASKLLM = "maskllm";

    private record Entry(boolean usesPrior, Function<MethodSettings, MaskMethod> factory) {
    }

    private static final Map<String, Entry> METHODS = registry();

    private MaskMethods() {
    }

    private static Map<String, Entry> registry() {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (PruneMethod p : PruneMethod.values()) {
            m.put(p.cliName(), new Entry(false, s -> new OneShotMethod(p, s.oneShot())));
        }
        m.put(MASKPRO, new Entry(true, s -> new MaskProMethod(s.maskPro(), s.checkpoint())));
        m.put(MASKLLM, new Entry(true, s -> new MaskLlmMethod(s.maskLlm())));
        return Collections.unmodifiableMap(m);
    }

    /** Every method name, one-shot methods first. */
    public static List<String> names() {
        return List.copyOf(METHODS.keySet());
    }

    /** Every prior name: the one-shot methods'. */
    public static List<String> priorNames() {
        return Arrays.stream(PruneMethod.values()).map(PruneMethod::cliName).toList();
    }

    /**
     * The method called {@code name} (case and surrounding blanks ignored), configured by {@code settings}.
     *
     * @throws IllegalArgumentException naming the known methods when {@code name} is not one
     */
    public static MaskMethod create(String name, MethodSettings settings) {
        return METHODS.get(requireMethod(name)).factory().apply(settings);
    }

    /** Whether the method called {@code name} starts from a prior ({@link MaskMethod#usesPrior()}). */
    public static boolean usesPrior(String name) {
        return METHODS.get(requireMethod(name)).usesPrior();
    }

    /** The canonical form of a method name; the message of an unknown one lists the known ones. */
    public static String requireMethod(String name) {
        String key = normalise(name);
        if (!METHODS.containsKey(key)) {
            throw new IllegalArgumentException("Unknown method \"" + name + "\": choose one of " + names());
        }
        return key;
    }

    /** The canonical form of a prior name; the message of an unknown one lists the known ones. */
    public static String requirePrior(String name) {
        String key = normalise(name);
        if (!priorNames().contains(key)) {
            throw new IllegalArgumentException("Unknown prior \"" + name + "\": choose one of " + priorNames());
        }
        return key;
    }

    /** The prior called {@code name}, calibrated with {@code options}. */
    public static MaskPrior prior(String name, OneShotOptions options) {
        PruneMethod method = PruneMethod.parse(requirePrior(name));
        // magnitude needs no calibration: its mask is MagnitudePrior's, ranked without the pruner's pass over the model
        return method == PruneMethod.MAGNITUDE ? new MagnitudePrior() : new OneShotPrior(options.pruner(method));
    }

    /** The priors called {@code names}, in order (a pipeline picks the best of several). */
    public static List<MaskPrior> priors(List<String> names, OneShotOptions options) {
        List<MaskPrior> out = new ArrayList<>();
        names.forEach(n -> out.add(prior(n, options)));
        return out;
    }

    private static String normalise(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    }
}
