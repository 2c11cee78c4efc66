package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

import org.maskpro4j.nm.NmPattern;

/**
 * Runs every memory probe in a fresh child JVM on this JVM's class path, so each workload's peak is measured from a
 * clean process. The child is {@code mainClass} with the arguments the caller builds for a workload and pattern; it
 * must load the same subject, take {@link org.maskpro4j.progress.PeakMemory#runtimeFootprint()} before loading it, run the
 * {@link MemoryProbe} and print {@link MemoryPeak#toJson()} as the only JSON object on its stdout.
 */
public final class ForkedProbes implements MemoryProbes {
    /**
     * A fixed heap made resident up front, so resident memory minus the heap is exactly the off-heap part; the serial
     * collector, whose {@code System.gc()} is a prompt full collection; and the C1 compiler only, because C2's
     * compilation arenas come and go by tens of MB at unpredictable times (measured: ±4 MB on an inference probe with
     * C2, ±0.03 MB without). JavaCPP's cap on the process's physical memory, which it derives from the heap size,
     * is lifted: it stopped MaskPro's probe on a 110 M-parameter LLaMA at 3.1 GB, and the probe is there to measure
     * that memory, not to bound it.
     */
    public static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms768m", "-Xmx768m",
            "-XX:+AlwaysPreTouch", "-XX:TieredStopAtLevel=1", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    private final String mainClass;
    private final BiFunction<MemoryWorkload, NmPattern, List<String>> arguments;

    public ForkedProbes(String mainClass, BiFunction<MemoryWorkload, NmPattern, List<String>> arguments) {
        this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        this.arguments = Objects.requireNonNull(arguments, "arguments");
    }

    @Override
    public String isolation() {
        return "one child JVM per probe (" + String.join(" ", JVM_FLAGS) + ")";
    }

    @Override
    public MemoryPeak measure(MemoryWorkload workload, NmPattern pattern) {
        return MemoryPeak.fromJson(ChildJvm.run("Memory probe " + workload.cliName() + " " + pattern, JVM_FLAGS,
                mainClass, arguments.apply(workload, pattern)));
    }
}
