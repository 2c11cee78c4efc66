package org.maskpro4j.method;

import java.util.List;
import java.util.Map;

import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.ByteMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of one pipeline run.
 *
 * @param stages   every stage's report, in the order they ran
 * @param prior    the prior the learner started from, or null when the method uses none
 * @param mask     the mask method's result
 * @param masks    the final masks (applied to the model), per weight name, BYTE 0/1
 * @param verified   the verification of the final model
 * @param provenance where the final masks come from
 * @param seconds  wall time of the whole run, held-out measurements included
 */
public record PipelineResult(List<StageReport> stages, ChosenPrior prior, MaskResult mask, Map<String, INDArray> masks,
        NmVerifier.Report verified, Provenance provenance, double seconds) {

    public PipelineResult {
        stages = List.copyOf(stages);
        masks = masks == null ? null : ByteMasks.of(masks);
    }

    /** The report of the stage called {@code name}. */
    public StageReport stage(String name) {
        return stages.stream().filter(s -> s.stage().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("No stage '" + name + "' ran; stages: "
                        + stages.stream().map(StageReport::stage).toList()));
    }

    /** The last held-out metrics measured: those of the final model; null without held-out data. */
    public Map<String, Object> heldOut() {
        for (int i = stages.size() - 1; i >= 0; i--) {
            if (stages.get(i).heldOut() != null) {
                return stages.get(i).heldOut();
            }
        }
        return null;
    }
}
