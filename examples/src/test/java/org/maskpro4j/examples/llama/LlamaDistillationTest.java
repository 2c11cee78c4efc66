package org.maskpro4j.examples.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.LrSchedule;
import org.maskpro4j.finetune.MaskedFineTuner;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.DifferentiableModel.Gradients;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distillation of the pruned LLaMA from its dense copy ({@link LlamaGraph#OBJECTIVE}): the KL term vanishes with its
 * gradient when student and teacher agree, mixes linearly with the cross-entropy, and fine-tuning with it recovers
 * the held-out loss of stories260K after a crude 2:4 cut. About 15 s on an idle machine.
 */
class LlamaDistillationTest {
    private static Llama2cCheckpoint checkpoint;
    private static Llama2cTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        LlamaTestData.assume();
        checkpoint = Llama2cCheckpoint.read(LlamaTestData.model());
        tokenizer = Llama2cTokenizer.read(LlamaTestData.tokenizer(), checkpoint.config().vocabSize());
    }

    private static LlamaDifferentiableModel model() {
        LlamaGraph graph = LlamaGraph.build(checkpoint);
        return new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, NmPattern.of(2, 4)));
    }

    @Test
    void klTermIsZeroWithZeroGradientWhenStudentEqualsTeacher() throws IOException {
        LlamaDifferentiableModel student = model();
        LlamaDifferentiableModel teacher = model();
        LlamaBatch batch = LlamaBatches.fromText(LlamaTestData.valid(), tokenizer, checkpoint.config().seqLen(), 2, 2).get(0);
        INDArray target = teacher.logProbabilities(batch);
        double ce = student.loss(batch);

        Gradients pureKl = student.lossAndGradients(batch, target, 1.0);
        assertEquals(0, pureKl.loss(), 1e-5, "KL(p || p)");
        Gradients pureCe = student.lossAndGradients(batch);
        assertEquals(ce, pureCe.loss(), 1e-6, "λ = 0 is the cross-entropy");
        for (MaskableWeight w : student.weights()) {
            double ceScale = pureCe.of(w).amaxNumber().doubleValue();
            double klGrad = pureKl.of(w).amaxNumber().doubleValue();
            assertTrue(klGrad < 1e-3 * ceScale, w.name() + ": KL gradient " + klGrad + " vs CE gradient " + ceScale);
        }
        Gradients half = student.lossAndGradients(batch, target, 0.5);
        assertEquals(0.5 * ce, half.loss(), 1e-5, "(1 − λ)·CE + λ·0");
        for (MaskableWeight w : student.weights()) {
            INDArray expected = pureCe.of(w).mul(0.5);
            assertTrue(half.of(w).equalsWithEps(expected, 1e-3 * expected.amaxNumber().doubleValue() + 1e-7), w.name());
        }
    }

    @Test
    void distilledFineTuningRecoversTheHeldOutLossOfACrudeCut() throws IOException {
        LlamaDifferentiableModel student = model();
        LlamaDifferentiableModel teacher = model();
        int seqLen = checkpoint.config().seqLen();
        List<LlamaBatch> train = LlamaBatches.fromText(LlamaTestData.train(), tokenizer, seqLen, 4, 48);
        List<LlamaBatch> heldOut = LlamaBatches.fromText(LlamaTestData.valid(), tokenizer, seqLen, 8, 8);
        Map<String, INDArray> masks = new HashMap<>();
        for (MaskableWeight w : student.weights()) {
            // the first two of every four inputs: a valid 2:4 mask that hurts much more than magnitude's
            masks.put(w.name(), Nd4j.create(new float[] {1, 1, 0, 0}).reshape(1, 4).repeat(0, w.layout().groupCount()));
        }
        double dense = meanLoss(student, heldOut);
        FineTuneConfig config = FineTuneConfig.builder().steps(12).learningRate(3e-3).schedule(LrSchedule.COSINE)
                .warmupSteps(2).distillation(0.5).logEvery(4).build();
        MaskedFineTuner tuner = new MaskedFineTuner(config, null);
        double[] cut = new double[1];
        tuner.tune(student, train, masks, () -> {
            if (cut[0] == 0) {
                cut[0] = meanLoss(student, heldOut);
            }
            return 0;
        }, 1, teacher);
        double tuned = meanLoss(student, heldOut);
        assertTrue(tuned < cut[0] - 0.5, "distilled fine-tuning lowers the held-out loss: dense " + dense + ", after one step "
                + cut[0] + ", after 12 " + tuned);
        for (MaskableWeight w : student.weights()) {
            INDArray pruned = w.layout().toGroups(w.live()).getColumns(2, 3);
            assertEquals(0, pruned.amaxNumber().doubleValue(), 0, w.name() + ": pruned weights stay exactly 0");
        }
    }

    private static double meanLoss(LlamaDifferentiableModel model, List<LlamaBatch> batches) {
        double sum = 0;
        for (LlamaBatch b : batches) {
            sum += model.loss(b);
        }
        return sum / batches.size();
    }
}
