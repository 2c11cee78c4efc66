package org.maskpro4j.examples.llama.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.examples.llama.LlamaNames;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.prior.InputStatistics;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.prior.SparseGptPruner;
import org.maskpro4j.prior.WandaPruner;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wanda and SparseGPT calibrated block by block, as their reference code does on LLaMA: the inputs of all matrices
 * of transformer block l are captured in one forward pass per batch, with blocks before l already pruned (and, for
 * SparseGPT with update, compensated) and block l itself still dense; then the whole block is pruned. The project's
 * {@link org.maskpro4j.prior.OneShotPruner} goes one matrix at a time instead (each matrix sees every earlier matrix
 * pruned, inside its own block too), which needs a forward pass per matrix and batch.
 */
public final class BlockwiseOneShot {
    private static final Logger LOG = LoggerFactory.getLogger(BlockwiseOneShot.class);

    /** The masks ({@code [groups, M]} per weight name, forward order) and the wall time. */
    public record Result(Map<String, INDArray> masks, double seconds) {
    }

    private BlockwiseOneShot() {
    }

    /**
     * Prunes every weight of {@code model} in place, starting from the dense weights.
     *
     * @param method WANDA, SPARSEGPT (weights updated) or SPARSEGPT_MASK_ONLY (masks applied to dense weights)
     */
    public static Result prune(LlamaMaskableModel model, PruneMethod method, List<LlamaBatch> calibration) {
        if (!method.needsCalibration()) {
            throw new IllegalArgumentException("Block-wise calibration is for Wanda and SparseGPT, not " + method);
        }
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException(method + " needs calibration batches, none were given");
        }
        long start = System.nanoTime();
        model.weights().forEach(MaskableWeight::restoreDense);
        SparseGptPruner sparseGpt = SparseGptPruner.builder().updateWeights(method == PruneMethod.SPARSEGPT).build();
        Map<String, INDArray> masks = new LinkedHashMap<>();
        for (int layer = 0; layer < model.graph().config().layers(); layer++) {
            List<MaskableWeight> block = new ArrayList<>();
            for (MaskableWeight w : model.weights()) {
                if (LlamaNames.layerOf(w.name()) == layer) {
                    block.add(w);
                }
            }
            if (block.isEmpty()) {
                continue;
            }
            Map<String, InputStatistics> stats = new LinkedHashMap<>();
            for (MaskableWeight w : block) {
                long k = w.layout().rowLength();
                stats.put(w.name(), method.needsHessian() ? InputStatistics.withHessian(w.name(), k)
                        : InputStatistics.columnNormsOnly(w.name(), k));
            }
            for (LlamaBatch batch : calibration) {
                Map<String, INDArray> rows = model.inputRows(block, batch);
                for (MaskableWeight w : block) {
                    stats.get(w.name()).add(rows.get(w.name()));
                }
            }
            for (MaskableWeight w : block) {
                GroupLayout layout = w.layout();
                INDArray rows = layout.toRows(w.dense()).castTo(DataType.DOUBLE);
                InputStatistics s = stats.get(w.name());
                INDArray mask;
                if (method == PruneMethod.WANDA) {
                    mask = WandaPruner.mask(rows, s.columnNormsSquared(), layout.pattern());
                } else {
                    SparseGptPruner.Result r = sparseGpt.prune(w.name(), rows, s.hessian(), layout.pattern());
                    mask = r.mask();
                    r.updatedRows().ifPresent(u -> w.assignLive(layout.fromRows(u.castTo(w.dense().dataType()))));
                }
                mask = mask.castTo(w.dense().dataType());
                if (method != PruneMethod.SPARSEGPT) {
                    w.applyMask(mask);
                }
                masks.put(w.name(), mask);
            }
            LOG.info("{} block-wise: block {} pruned ({} matrices, {} calibration rows)", method, layer, block.size(),
                    stats.values().iterator().next().samples());
        }
        return new Result(masks, (System.nanoTime() - start) / 1e9);
    }
}
