package org.maskpro4j.cli;

import org.maskpro4j.testing.ProcStatus;

/**
 * Runs one {@code maskpro} command in a process of its own and prints its exit code and the process's peak resident
 * set, on a line starting {@value #PREFIX}: a memory bound measured in the test JVM would also count the heap that
 * other tests grew.
 */
final class PeakResidentRun {
    static final String PREFIX = "exit-and-peak-rss-mib:";

    private PeakResidentRun() {
    }

    public static void main(String[] args) {
        int code = Maskpro.run(args);
        System.out.println(PREFIX + " " + code + " " + ProcStatus.peakResidentMiB());
        System.exit(0);
    }
}
