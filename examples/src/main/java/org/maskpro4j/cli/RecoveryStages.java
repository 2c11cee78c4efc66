package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import org.deeplearning4j.nn.api.Model;
import org.maskpro4j.examples.llama.results.PeakMemory;
import org.maskpro4j.finetune.Dl4jMaskedFit;
import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.FineTuneResult;
import org.maskpro4j.finetune.MaskedFineTuner;
import org.maskpro4j.reconstruct.ReconstructionResult;
import org.maskpro4j.reconstruct.WeightReconstructor;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the stages that follow a mask, each optional and each reported with its held-out metric, wall time and peak
 * memory: weight reconstruction ({@link WeightReconstructor}) on the calibration batches, then masked fine-tuning —
 * DL4J networks through their own {@code fit} ({@link Dl4jMaskedFit}), SameDiff graphs and llama2.c models through
 * their differentiable path ({@link MaskedFineTuner}).
 */
final class RecoveryStages {
    private RecoveryStages() {
    }

    /**
     * @param checkpointDir directory for the fine-tuning checkpoint ({@code finetune.ckpt}; a run there resumes), or null
     * @return one report per stage run, in order
     */
    static <B> List<Map<String, Object>> run(Workload<B> w, MaskableModel<B> model, Map<String, INDArray> masks,
            List<B> calibration, List<B> eval, RecoveryOptions options, DataOptions data, Path checkpointDir)
            throws IOException {
        List<Map<String, Object>> stages = new java.util.ArrayList<>();
        if (options.updateWeights) {
            long t0 = System.nanoTime();
            ReconstructionResult r;
            PeakMemory.Peak peak;
            try (PeakMemory memory = PeakMemory.start()) {
                r = WeightReconstructor.builder().build().reconstruct(model, calibration, masks);
                peak = memory.peak();
            }
            Map<String, Object> s = stage("reconstruction", w.evaluate(eval), t0, peak);
            double[] errors = r.meanErrors();
            s.put("meanLayerErrorBefore", errors[0]);
            s.put("meanLayerErrorAfter", errors[1]);
            stages.add(s);
        }
        if (options.finetuneSteps > 0) {
            List<B> train = w.trainBatches(data.data, options.finetuneExamples,
                    options.finetuneBatch != null ? options.finetuneBatch : data.batch);
            FineTuneConfig config = FineTuneConfig.builder().steps(options.finetuneSteps).learningRate(options.finetuneLr)
                    .logEvery((int) Math.max(1, Math.min(50, options.finetuneSteps / 20)))
                    .checkpointEvery(checkpointDir == null ? 0 : 100).build();
            DoubleSupplier heldOut = () -> ((Number) w.evaluate(eval).get("loss")).doubleValue();
            long t0 = System.nanoTime();
            FineTuneResult r;
            PeakMemory.Peak peak;
            try (PeakMemory memory = PeakMemory.start()) {
                r = fineTune(w, model, masks, train, config, options.finetuneEvalEvery > 0 ? heldOut : null,
                        options.finetuneEvalEvery, checkpointDir);
                peak = memory.peak();
            }
            Map<String, Object> s = stage("finetune", w.evaluate(eval), t0, peak);
            s.put("steps", r.steps());
            s.put("optimizer", r.optimizer());
            s.put("optimizerStateBytes", r.optimizerStateBytes());
            s.put("trainLoss", r.trainLosses().isEmpty() ? null : r.trainLosses().get(r.trainLosses().size() - 1).value());
            if (!r.heldOut().isEmpty()) {
                Map<String, Double> curve = new LinkedHashMap<>();
                r.heldOut().forEach(p -> curve.put(Long.toString(p.step()), p.value()));
                s.put("heldOutLossCurve", curve);
            }
            stages.add(s);
        }
        return stages;
    }

    @SuppressWarnings("unchecked")
    private static <B> FineTuneResult fineTune(Workload<B> w, MaskableModel<B> model, Map<String, INDArray> masks,
            List<B> train, FineTuneConfig config, DoubleSupplier heldOut, long evaluateEvery, Path checkpointDir) {
        if (w instanceof Dl4jWorkload dl4j) {
            Model net = dl4j.model();
            return Dl4jMaskedFit.fit(net, model.weights(), masks, (List<org.nd4j.linalg.dataset.DataSet>) train, config,
                    heldOut);
        }
        if (!(model instanceof DifferentiableModel<B> differentiable)) {
            throw new UserError("Masked fine-tuning needs backpropagation, which this model kind does not offer here;"
                    + " drop --finetune");
        }
        Path ckpt = checkpointDir == null ? null : checkpointDir.resolve("finetune.ckpt");
        return new MaskedFineTuner(config, ckpt).tune(differentiable, train, masks, heldOut, evaluateEvery);
    }

    /** The report of one stage: its name, held-out metrics, seconds and peak heap + native memory. */
    static Map<String, Object> stage(String name, Map<String, Object> metrics, long startNanos, PeakMemory.Peak peak) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stage", name);
        s.put("metrics", metrics);
        s.put("seconds", (System.nanoTime() - startNanos) / 1e9);
        s.put("peakMiB", peak.totalMiB());
        return s;
    }
}
