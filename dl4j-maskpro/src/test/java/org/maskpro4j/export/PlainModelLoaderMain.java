package org.maskpro4j.export;

import java.io.File;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs in a child JVM whose classpath holds DL4J but no maskpro4j class: loads exported models and writes their
 * outputs. Uses DL4J and ND4J only, so it stands for a user who received an exported file.
 *
 * <p>Arguments: repeated {@code mln|cg modelZip inputBin outputBin}. Exit code 3 when maskpro4j is on the classpath.
 */
public final class PlainModelLoaderMain {
    static final String MASKPRO_CLASS = "org.maskpro4j.layers.MaskProLayer";

    private PlainModelLoaderMain() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName(MASKPRO_CLASS);
            System.out.println("maskpro4j is on the classpath");
            System.exit(3);
        } catch (ClassNotFoundException expected) {
            System.out.println("maskpro4j absent");
        }
        for (int i = 0; i + 3 < args.length; i += 4) {
            File model = new File(args[i + 1]);
            INDArray input = Nd4j.readBinary(new File(args[i + 2]));
            INDArray output;
            if ("cg".equals(args[i])) {
                ComputationGraph graph = ModelSerializer.restoreComputationGraph(model, false);
                output = graph.outputSingle(input);
            } else {
                MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(model, false);
                output = net.output(input);
            }
            Nd4j.saveBinary(output, new File(args[i + 3]));
            System.out.println("loaded " + model.getName() + " output " + java.util.Arrays.toString(output.shape()));
        }
    }
}
