package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Masked fine-tuning and MaskLLM on the LLaMA must not grow with the steps: backprop leaves native buffers that only a
 * Java GC frees, and before {@code NativeGarbage} collected them every few steps the process grew by 13–75 MiB a step
 * (fine-tuning) and 6–11 MiB a step (MaskLLM) until the OOM killer ended it.
 *
 * <p>Each run is a child JVM ({@link BackpropMemoryRun}) with its whole heap committed and touched up front, so that its
 * resident set moves only with native memory: in the test JVM, heap that earlier tests grew moved it by more than the
 * bug does (CI once read +222 MiB over 32 healthy MaskLLM steps there). One sample a step; the first
 * {@value #SETTLE} steps settle (JIT, first allocations). {@code -DllamaMemoryBatch=8 -DllamaMemorySteps=60} measures the
 * batch-8 case of docs/llama-results.md (70–150 s on the shared machine).
 */
class LlamaBackpropMemoryTest {
    private static final int SETTLE = 20;

    @Test
    void residentMemoryStaysFlatWhileFineTuning() throws Exception {
        assertFlat(run("finetune"), "fine-tuning");
    }

    @Test
    void residentMemoryStaysFlatWhileMaskLlmLearns() throws Exception {
        assertFlat(run("maskllm"), "MaskLLM");
    }

    private static long[] run(String mode) throws IOException, InterruptedException {
        int steps = SETTLE + Integer.getInteger("llamaMemorySteps", 60);
        int batch = Integer.getInteger("llamaMemoryBatch", 2);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms1g",
                "-Xmx1g", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                BackpropMemoryRun.class.getName(), mode, LlamaTestData.model().toString(),
                LlamaTestData.tokenizer().toString(), LlamaTestData.train().toString(), String.valueOf(steps),
                String.valueOf(batch)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the " + mode + " run did not finish");
        assertEquals(0, p.exitValue(), "the " + mode + " run failed:\n" + out);
        String line = out.lines().filter(l -> l.startsWith(BackpropMemoryRun.PREFIX)).findFirst()
                .orElseThrow(() -> new AssertionError("no samples in:\n" + out));
        long[] rss = Arrays.stream(line.substring(BackpropMemoryRun.PREFIX.length()).trim().split(" "))
                .mapToLong(Long::parseLong).toArray();
        assertEquals(steps, rss.length, "one sample a step");
        System.out.println(mode + ", RSS (MiB) by step: " + Arrays.toString(rss));
        return Arrays.copyOfRange(rss, SETTLE, rss.length);
    }

    /**
     * Resident memory must not rise from the first third of the steps to the last: the lowest sample of each third,
     * because between collections (every 4 steps) the resident set swings, while the bug raised every trough.
     */
    private static void assertFlat(long[] rss, String what) {
        int third = rss.length / 3;
        long early = Arrays.stream(rss, 0, third).min().orElseThrow();
        long late = Arrays.stream(rss, rss.length - third, rss.length).min().orElseThrow();
        int stepsBetween = rss.length - third;
        System.out.printf("%s: lowest RSS, first third %d MiB, last third %d MiB%n", what, early, late);
        assertTrue(late - early < 3L * stepsBetween, "RSS grew " + (late - early) + " MiB over ~" + stepsBetween + " "
                + what + " steps");
    }
}
