package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.maskpro4j.examples.llama.inference.CompressedLlama;
import org.maskpro4j.inference.CompressedModel;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Opens a compressed model file ({@code maskpro compress}) as the workload of the model it holds. */
final class CompressedModels {
    private CompressedModels() {
    }

    /** @param withTokenizer as for {@link ModelLoader}: false when only the weights are used */
    static Workload<?> load(Path file, Path tokenizer, boolean withTokenizer) throws IOException {
        NmModelFile nm = NmModelFile.read(file);
        if (CompressedLlama.holdsLlama(nm)) {
            // perplexity is computed on the decompressed weights: the format is lossless
            return LlamaWorkload.of(CompressedLlama.toCheckpoint(nm), file, tokenizer, withTokenizer);
        }
        if (CompressedModel.holdsModel(nm)) {
            return new KernelDl4jWorkload(CompressedModel.load(nm, NmKernel.best()));
        }
        throw new UserError(file + " is a compressed model file but holds neither a llama2.c model nor a DL4J network");
    }

    /** A DL4J network whose Dense and Output layers evaluate on the N:M kernel. */
    private static final class KernelDl4jWorkload extends Dl4jWorkload {
        private final CompressedModel network;

        KernelDl4jWorkload(CompressedModel network) {
            super(network.network(), "dl4j");
            this.network = network;
        }

        @Override
        protected double score(DataSet ds) {
            return network.score(ds);
        }

        @Override
        protected INDArray output(INDArray features) {
            return network.output(features);
        }
    }
}
