package org.maskpro4j.examples.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Peak memory of one workload (see {@link org.maskpro4j.progress.PeakMemory#working(long)}). {@code workingBytes} is the headline: live JVM heap plus
 * off-heap memory (ND4J's buffers and workspaces), above what the same process held once ND4J was up and before the
 * model was loaded ({@code runtimeBytes}). {@code heapBytes} and {@code offHeapBytes} are the peaks of the two parts
 * (they need not coincide); {@code processBytes} is the peak private resident size of the whole process, heap and JVM
 * internals included.
 */
public record MemoryPeak(long workingBytes, long processBytes, long heapBytes, long offHeapBytes, long runtimeBytes) {

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("working_bytes", workingBytes);
        m.put("process_bytes", processBytes);
        m.put("heap_bytes", heapBytes);
        m.put("off_heap_bytes", offHeapBytes);
        m.put("runtime_bytes", runtimeBytes);
        return m;
    }

    public static MemoryPeak fromJson(Map<String, ?> json) {
        return new MemoryPeak(number(json, "working_bytes"), number(json, "process_bytes"), number(json, "heap_bytes"),
                number(json, "off_heap_bytes"), number(json, "runtime_bytes"));
    }

    private static long number(Map<String, ?> json, String key) {
        if (!(json.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("Memory probe output has no number \"" + key + "\": " + json);
        }
        return n.longValue();
    }
}
