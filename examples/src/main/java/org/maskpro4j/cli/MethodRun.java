package org.maskpro4j.cli;

import java.util.List;

import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.method.StageReport;

/**
 * One pipeline run as a report shows it: a label, the learning steps and history, the time of its stages, and the
 * stages themselves (with the held-out metrics measured after each).
 */
public record MethodRun(String method, long steps, List<StepRecord> history, double seconds, List<StageReport> stages) {

    /** {@code run} under {@code label}; its time is the stages' own, held-out measurements excluded. */
    static MethodRun of(String label, PipelineResult run) {
        return new MethodRun(label, run.mask().steps(), run.mask().history(),
                run.stages().stream().mapToDouble(StageReport::seconds).sum(), run.stages());
    }
}
