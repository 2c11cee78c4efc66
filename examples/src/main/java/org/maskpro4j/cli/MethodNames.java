package org.maskpro4j.cli;

import java.util.Iterator;

import org.maskpro4j.method.MaskMethods;

/** The registry's method names, for picocli's {@code ${COMPLETION-CANDIDATES}} in option help. */
final class MethodNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return MaskMethods.names().iterator();
    }

    /** The registry's prior names. */
    static final class Priors implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return MaskMethods.priorNames().iterator();
        }
    }
}
