package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.TextGenerationLSTM;
import org.deeplearning4j.zoo.model.VGG16;
import org.maskpro4j.examples.models.Dl4jZip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DL4J model-zoo architectures by name. Pretrained zoo weights are downloads this tool does not make: the user
 * passes their trained weights (a DL4J zip of the same architecture), or asks for random weights explicitly.
 */
final class ZooModels {
    private static final Logger log = LoggerFactory.getLogger(ZooModels.class);
    static final List<String> NAMES = List.of("lenet", "simplecnn", "alexnet", "vgg16", "resnet50", "textgenlstm");

    private ZooModels() {
    }

    static Dl4jWorkload load(String name, Path weights, boolean randomWeights, int classes) throws IOException {
        Model model = architecture(name.toLowerCase(Locale.ROOT), classes).init();
        if (weights != null) {
            if (!Files.isRegularFile(weights)) {
                throw new UserError("Weights file not found: " + weights);
            }
            Model trained = Dl4jZip.read(weights, false).model();
            if (trained.getClass() != model.getClass()) {
                throw new UserError("Weights file " + weights + " holds a " + trained.getClass().getSimpleName() + " but zoo:"
                        + name + " is a " + model.getClass().getSimpleName() + ": pass weights of the same architecture");
            }
            if (trained.numParams() != model.numParams()) {
                throw new UserError("Weights in " + weights + " have " + trained.numParams() + " parameters but zoo:" + name
                        + " with " + classes + " classes has " + model.numParams() + ": pass the matching --classes");
            }
            model.setParams(trained.params());
        } else if (randomWeights) {
            log.warn("zoo:{} has RANDOM weights: masks learned on them mean nothing for a trained model", name);
        } else {
            throw new UserError("zoo:" + name + " needs your trained weights: pass --weights FILE (a DL4J zip of the same"
                    + " architecture), or --random-weights to try the tool on untrained weights");
        }
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new UserError("zoo:" + name + " is not a MultiLayerNetwork or ComputationGraph");
        }
        return new Dl4jWorkload(model, "dl4j", "zoo:" + name + (weights != null ? " with --weights " + weights : ""));
    }

    private static ZooModel architecture(String name, int classes) {
        return switch (name) {
            case "lenet" -> LeNet.builder().numClasses(classes).build();
            case "simplecnn" -> SimpleCNN.builder().numClasses(classes).build();
            case "alexnet" -> AlexNet.builder().numClasses(classes).build();
            case "vgg16" -> VGG16.builder().numClasses(classes).build();
            case "resnet50" -> ResNet50.builder().numClasses(classes).build();
            case "textgenlstm" -> {
                TextGenerationLSTM t = TextGenerationLSTM.builder().totalUniqueCharacters(classes).build();
                // M2.1's builder leaves inputShape null (NPE in init)
                t.setInputShape(new int[][] {{40, classes}});
                yield t;
            }
            default -> throw new UserError("Unknown zoo model \"" + name + "\": choose one of " + NAMES);
        };
    }
}
