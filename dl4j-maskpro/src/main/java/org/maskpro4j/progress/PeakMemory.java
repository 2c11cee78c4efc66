package org.maskpro4j.progress;

import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peak memory of a stretch of work, sampled by a daemon thread every few milliseconds: JVM heap in use plus native
 * memory, and the process's resident set. On the M2.1 CPU backend libnd4j allocates array buffers itself, so
 * neither JavaCPP's {@code Pointer.totalBytes()} nor ND4J's allocation trackers see them; native memory is therefore
 * taken as the resident set minus the committed heap (it includes the JVM's own code and metadata, a near-constant
 * base, which is why {@link Peak#growthBytes()} is reported too). Sampling can miss a peak shorter than the period;
 * the last sample is taken on {@link #close()}.
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

    private final int periodMillis;
    private final Thread sampler;
    private volatile boolean running = true;
    private long heap;
    private long offHeap;
    private long total;
    private long resident;
    private final long startTotal;

    private PeakMemory(int periodMillis) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("Sampling period must be positive, got " + periodMillis + " ms");
        }
        this.periodMillis = periodMillis;
        // garbage left by earlier work would otherwise count towards this stretch's heap peak
        System.gc();
        sample();
        this.startTotal = total;
        this.sampler = new Thread(this::run, "peak-memory");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts sampling now. */
    public static PeakMemory start() {
        return new PeakMemory(10);
    }

    private void run() {
        while (running) {
            sample();
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void sample() {
        Runtime rt = Runtime.getRuntime();
        long committed = rt.totalMemory();
        long h = committed - rt.freeMemory();
        long rss = Pointer.physicalBytes();
        long o = Math.max(0, rss - committed);
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
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        Peak p = peak();
        LOG.info(String.format("Peak memory: heap %.0f MiB, native %.0f MiB, heap+native %.0f MiB (rise %.0f MiB), RSS %.0f MiB",
                p.heapBytes() / 1048576.0, p.offHeapMiB(), p.totalMiB(), p.growthMiB(), p.residentMiB()));
    }
}
