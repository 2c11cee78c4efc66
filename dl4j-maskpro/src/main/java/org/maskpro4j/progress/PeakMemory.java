package org.maskpro4j.progress;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peak memory of a stretch of work, sampled by a daemon thread every few milliseconds: JVM heap in use plus native
 * memory, and the process's resident set. On the M2.1 CPU backend libnd4j allocates array buffers itself, so
 * neither JavaCPP's {@code Pointer.totalBytes()} nor ND4J's allocation trackers see them; native memory is therefore
 * taken as the resident set minus the committed heap (it includes the JVM's own code and metadata, a near-constant
 * base, which is why {@link Peak#growthBytes()} is reported too). Sampling can miss a peak shorter than the period;
 * the last sample is taken on {@link #close()}.
 *
 * <p>{@link #working(long)} is the benchmarks' stricter reading: live heap (in use after the last collection, with a
 * second daemon thread collecting every {@value #GC_EVERY_MS} ms, so neither unreachable objects nor the native buffers
 * only a collection releases pile up) plus off-heap memory read as the private resident memory minus the committed heap
 * <em>and</em> the JVM's own non-heap pools (exact when the whole heap is resident, as with
 * {@code -XX:+AlwaysPreTouch -Xms=-Xmx}), sampled every millisecond, above a baseline
 * ({@link #runtimeFootprint()}) taken before the model was loaded.
 */
public final class PeakMemory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeakMemory.class);

    /** What a stretch of work peaked at, in bytes. */
    public record Peak(long heapBytes, long offHeapBytes, long totalBytes, long residentBytes, long startTotalBytes) {
        /** How far heap plus native memory rose above where it stood when sampling started. */
        public long growthBytes() {
            return Math.max(0, totalBytes - startTotalBytes);
        }

        /** The larger of each figure; the start is this stretch's. */
        public Peak max(Peak other) {
            return other == null ? this : new Peak(Math.max(heapBytes, other.heapBytes), Math.max(offHeapBytes,
                    other.offHeapBytes), Math.max(totalBytes, other.totalBytes), Math.max(residentBytes, other.residentBytes),
                    Math.min(startTotalBytes, other.startTotalBytes));
        }

        public double totalMiB() {
            return totalBytes / (1024.0 * 1024.0);
        }

        public double growthMiB() {
            return growthBytes() / (1024.0 * 1024.0);
        }

        public double offHeapMiB() {
            return offHeapBytes / (1024.0 * 1024.0);
        }

        public double residentMiB() {
            return residentBytes / (1024.0 * 1024.0);
        }
    }

    private static final long GC_EVERY_MS = 25;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null).toList();

    private final boolean live;
    private final Thread sampler;
    private final Thread collector;
    private volatile boolean running = true;
    private long heap;
    private long offHeap;
    private long total;
    private long resident;
    private final long startTotal;

    /** @param baseline the start the rise is measured from, or null for the first sample */
    private PeakMemory(int periodMillis, boolean live, Long baseline) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("Sampling period must be positive, got " + periodMillis + " ms");
        }
        this.live = live;
        if (baseline == null) {
            // garbage left by earlier work would otherwise count towards this stretch's heap peak
            System.gc();
        }
        sample();
        this.startTotal = baseline == null ? total : baseline;
        this.sampler = daemon("peak-memory", periodMillis, this::sample);
        this.collector = live ? daemon("peak-memory-gc", GC_EVERY_MS, System::gc) : null;
    }

    /** Starts sampling now; the rise is measured from here. */
    public static PeakMemory start() {
        return new PeakMemory(10, false, null);
    }

    /**
     * Starts the benchmarks' reading (live heap, off-heap without the JVM's own pools, periodic collection); the rise
     * ({@link Peak#growthBytes()}) is the working memory above {@code runtimeBytes}, a {@link #runtimeFootprint()}
     * taken earlier in this process.
     */
    public static PeakMemory working(long runtimeBytes) {
        return new PeakMemory(1, true, runtimeBytes);
    }

    /**
     * Live heap plus off-heap memory (the {@link #working(long)} reading) of this process now, once ND4J is up (a
     * small matrix product loads the native library and BLAS) and after a collection. Take it before loading the model.
     */
    public static long runtimeFootprint() {
        Nd4j.rand(64, 64).mmul(Nd4j.rand(64, 64));
        System.gc();
        return liveHeap() + workingOffHeap();
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
    private static long workingOffHeap() {
        return Pointer.physicalBytes() - MEMORY.getHeapMemoryUsage().getCommitted()
                - MEMORY.getNonHeapMemoryUsage().getCommitted();
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
        long rss = Pointer.physicalBytes();
        long h;
        long o;
        if (live) {
            h = liveHeap();
            o = workingOffHeap();
        } else {
            Runtime rt = Runtime.getRuntime();
            long committed = rt.totalMemory();
            h = committed - rt.freeMemory();
            o = Math.max(0, rss - committed);
        }
        heap = Math.max(heap, h);
        offHeap = Math.max(offHeap, o);
        total = Math.max(total, h + o);
        resident = Math.max(resident, rss);
    }

    /** The peaks so far. */
    public synchronized Peak peak() {
        return new Peak(heap, offHeap, total, resident, startTotal);
    }

    @Override
    public void close() {
        running = false;
        try {
            for (Thread t : collector == null ? List.of(sampler) : List.of(sampler, collector)) {
                t.interrupt();
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        Peak p = peak();
        LOG.info(String.format("Peak memory: heap %.0f MiB, native %.0f MiB, heap+native %.0f MiB (rise %.0f MiB), RSS %.0f MiB",
                p.heapBytes() / 1048576.0, p.offHeapMiB(), p.totalMiB(), p.growthMiB(), p.residentMiB()));
    }
}
