package org.maskpro4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** A child process for the SIGTERM test: stages one output of {@code args[0]}, says so, and waits to be killed. */
final class StageAndWait {
    private StageAndWait() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        AtomicOutputs outputs = new AtomicOutputs(target);
        outputs.file(target, p -> Files.writeString(p, "half written"));
        System.out.println("staged " + AtomicOutputs.temporaryFor(target.toAbsolutePath()));
        System.out.flush();
        Thread.sleep(60_000);
    }
}
