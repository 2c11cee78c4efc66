package org.maskpro4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's memory as Linux reports it in {@code /proc/self/status}. */
public final class ProcStatus {
    private ProcStatus() {
    }

    /** The resident set size now, MiB. */
    public static long residentMiB() {
        return kibOf("VmRSS:") / 1024;
    }

    /** The highest resident set size so far, MiB. */
    public static long peakResidentMiB() {
        return kibOf("VmHWM:") / 1024;
    }

    private static long kibOf(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }
}
