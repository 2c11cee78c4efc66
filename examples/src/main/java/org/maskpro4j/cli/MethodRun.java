package org.maskpro4j.cli;

import java.util.List;

import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.method.StageReport;

/** One pipeline run as a report shows it: a label, the learning steps and history, and the time of its stages. */
public record MethodRun(String method, long steps, List<StepRecord> history, double seconds) {

    /** {@code run} under {@code label}; its time is the stages' own, held-out measurements excluded. */
    static MethodRun of(String label, PipelineResult run) {
        return new MethodRun(label, run.mask().steps(), run.mask().history(),
                run.stages().stream().mapToDouble(StageReport::seconds).sum());
    }
}
