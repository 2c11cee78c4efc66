package org.maskpro4j.testing;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Pins libnd4j to one OpenMP and one master thread until closed, then restores what was set. On the shared 2-core
 * build machine those threads wait on each other under load, which made LLaMA evaluations 3-7 times slower.
 * Create it after the ND4J backend is loaded (reading a checkpoint does that).
 */
public final class OneNativeThread implements AutoCloseable {
    private final NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
    private final int previousOmpThreads = nativeOps.ompGetMaxThreads();
    private final int previousMasterThreads = Nd4j.getEnvironment().maxMasterThreads();

    public OneNativeThread() {
        nativeOps.setOmpNumThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    @Override
    public void close() {
        nativeOps.setOmpNumThreads(previousOmpThreads);
        Nd4j.getEnvironment().setMaxMasterThreads(previousMasterThreads);
    }
}
