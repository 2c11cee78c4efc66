package org.maskpro4j.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Samples a process's memory on a daemon thread while a workload runs, and keeps the peak of its working memory:
 * live JVM heap plus ND4J's off-heap memory, above what the process held at {@link #runtimeFootprint()}.
 *
 * <p>ND4J's CPU buffers are allocated by libnd4j, outside javacpp's own counters ({@code Pointer.totalBytes()} stays
 * near 0), so off-heap memory is read as the process's private resident memory ({@code Pointer.physicalBytes()}) minus
 * the committed heap and the JVM's own non-heap pools (metaspace, code cache); this is exact when the whole heap is
 * resident, as with {@code -XX:+AlwaysPreTouch -Xms=-Xmx} (what forked probes use). Live heap is the heap in use after
 * the last collection, and a second daemon thread collects every {@value #GC_EVERY_MS} ms, so neither unreachable Java
 * objects nor the native buffers only a collection releases pile up: a peak is what the workload holds at once.
 */
public final class MemorySampler implements AutoCloseable {
    private static final long SAMPLE_EVERY_MS = 1;
    private static final long GC_EVERY_MS = 25;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null).toList();

    private final long runtimeBytes;
    private final Thread sampler;
    private final Thread collector;
    private volatile boolean running = true;
    private long peakWorking;
    private long peakProcess;
    private long peakHeap;
    private long peakOffHeap;

    private MemorySampler(long runtimeBytes) {
        this.runtimeBytes = runtimeBytes;
        sample();
        this.sampler = daemon("memory-sampler", SAMPLE_EVERY_MS, this::sample);
        this.collector = daemon("memory-gc", GC_EVERY_MS, System::gc);
    }

    /**
     * Live heap plus off-heap memory of this process now, once ND4J is up (a small matrix product loads the native
     * library and BLAS) and after a collection. Take it before loading the model.
     */
    public static long runtimeFootprint() {
        Nd4j.rand(64, 64).mmul(Nd4j.rand(64, 64));
        System.gc();
        return liveHeap() + offHeap();
    }

    /** Heap in use right after the last collection. */
    private static long liveHeap() {
        long used = 0;
        for (MemoryPoolMXBean pool : HEAP_POOLS) {
            used += pool.getCollectionUsage().getUsed();
        }
        return used;
    }

    /** Private resident memory that is neither the heap nor the JVM's own non-heap pools. */
    private static long offHeap() {
        return Pointer.physicalBytes() - MEMORY.getHeapMemoryUsage().getCommitted()
                - MEMORY.getNonHeapMemoryUsage().getCommitted();
    }

    /** Starts sampling; {@code runtimeBytes} is {@link #runtimeFootprint()} taken earlier in this process. */
    public static MemorySampler start(long runtimeBytes) {
        return new MemorySampler(runtimeBytes);
    }

    private Thread daemon(String name, long periodMs, Runnable task) {
        Thread t = new Thread(() -> {
            while (running) {
                task.run();
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private synchronized void sample() {
        long heap = liveHeap();
        long offHeap = offHeap();
        peakWorking = Math.max(peakWorking, heap + offHeap - runtimeBytes);
        peakProcess = Math.max(peakProcess, Pointer.physicalBytes());
        peakHeap = Math.max(peakHeap, heap);
        peakOffHeap = Math.max(peakOffHeap, offHeap);
    }

    /** Stops sampling and returns the peaks (a last sample is taken first). */
    public MemoryPeak stop() {
        running = false;
        try {
            sampler.join();
            collector.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the memory sampler", e);
        }
        sample();
        synchronized (this) {
            return new MemoryPeak(peakWorking, peakProcess, peakHeap, peakOffHeap, runtimeBytes);
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
