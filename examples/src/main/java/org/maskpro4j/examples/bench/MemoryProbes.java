package org.maskpro4j.examples.bench;

import org.maskpro4j.nm.NmPattern;

/**
 * Runs memory probes. Each needs a clean process of its own ({@link ForkedProbes}): in a JVM that has run other work,
 * resident memory that glibc and the collector hand back or keep makes a peak meaningless.
 */
public interface MemoryProbes {

    MemoryPeak measure(MemoryWorkload workload, NmPattern pattern);

    /** How the probes are isolated, for reports. */
    String isolation();

}
