package org.maskpro4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.export.MaskFile;
import org.maskpro4j.method.Stage;
import org.maskpro4j.method.StageContext;
import org.maskpro4j.method.StageOutcome;

/**
 * The export stage of {@code prune}: the pruned model in its own format plus its mask file, staged in the command's
 * {@link AtomicOutputs}, which commits them together with the command's other outputs.
 */
final class ExportStage implements Stage {
    private final Workload<?> workload;
    private final Path out;
    private final AtomicOutputs outputs;

    ExportStage(Workload<?> workload, Path out, AtomicOutputs outputs) {
        this.workload = workload;
        this.out = out;
        this.outputs = outputs;
    }

    @Override
    public String name() {
        return "export";
    }

    @Override
    public <B> StageOutcome run(StageContext<B> context) {
        try {
            outputs.file(out, workload::save).file(MaskFile.pathFor(out), p -> MaskFile.write(p, context.pattern(),
                    context.masks(), context.provenance()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("model", out.toString());
        details.put("masks", MaskFile.pathFor(out).toString());
        return StageOutcome.unchanged(details);
    }
}
