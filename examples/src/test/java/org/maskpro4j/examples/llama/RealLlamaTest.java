package org.maskpro4j.examples.llama;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.maskpro4j.testing.OneNativeThread;

/**
 * Tests on the real stories260K model: the checkpoint is read once per class, libnd4j runs on one thread while they
 * run, and each test skips (fails in CI) when the shared data is absent. The check is per test because surefire
 * reports a class aborted in {@code @BeforeAll} as zero tests, without the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealLlamaTest {
    private OneNativeThread threads;

    /** Reads what the class's tests share; called once, with the shared data present. */
    abstract void load(Llama2cCheckpoint checkpoint) throws Exception;

    @BeforeAll
    final void readCheckpoint() throws Exception {
        if (!LlamaTestData.present()) {
            return;
        }
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(LlamaTestData.model());
        threads = new OneNativeThread();
        load(checkpoint);
    }

    @AfterAll
    final void restoreThreads() {
        if (threads != null) {
            threads.close();
        }
    }

    @BeforeEach
    final void requireData() {
        LlamaTestData.assume();
    }
}
