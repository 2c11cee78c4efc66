package org.maskpro4j.cli;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.maskpro4j.arbiter.Spaces;

/**
 * Reads a sweep axis from the command line: {@code MIN:MAX} is a range, {@code A,B,C} a choice, {@code A} a fixed
 * value. A bad value is a {@link UserError} naming the option.
 */
final class SpaceArgs {
    private SpaceArgs() {
    }

    /** Continuous axis; {@code logScale} draws ranges log-uniformly (step sizes such as η). */
    static ParameterSpace<Double> decimals(String option, String text, boolean logScale) {
        try {
            String[] range = text.split(":", -1);
            if (range.length == 2) {
                double min = Double.parseDouble(range[0].trim());
                double max = Double.parseDouble(range[1].trim());
                return logScale ? Spaces.logUniform(min, max) : Spaces.uniform(min, max);
            }
            return Spaces.choices(parseList(text, Double::parseDouble, Double[]::new));
        } catch (IllegalArgumentException e) {
            throw bad(option, text, e);
        }
    }

    static ParameterSpace<Integer> integers(String option, String text) {
        try {
            String[] range = text.split(":", -1);
            if (range.length == 2) {
                return Spaces.integers(Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()));
            }
            return Spaces.choices(parseList(text, Integer::parseInt, Integer[]::new));
        } catch (IllegalArgumentException e) {
            throw bad(option, text, e);
        }
    }

    /** Comma-separated names, each checked by {@code check}. */
    static ParameterSpace<String> names(String option, String text, Function<String, ?> check) {
        try {
            String[] names = parseList(text, String::trim, String[]::new);
            Arrays.stream(names).forEach(check::apply);
            return Spaces.choices(names);
        } catch (IllegalArgumentException e) {
            throw bad(option, text, e);
        }
    }

    private static <T> T[] parseList(String text, Function<String, T> parse, IntFunction<T[]> array) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(parse).toArray(array);
    }

    private static UserError bad(String option, String text, IllegalArgumentException e) {
        String why = e instanceof NumberFormatException ? "not a number" : e.getMessage();
        return new UserError(option + " \"" + text + "\": " + why + " (write MIN:MAX for a range, A,B,C for choices,"
                + " or one value)");
    }
}
