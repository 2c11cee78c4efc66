package org.maskpro4j.examples.defaults;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The measurement that chose MaskPro's update rule and defaults on the Fashion CNN (docs/maskpro-defaults.md): every
 * setting starts from the same magnitude 2:4 prior of the cached trained CNN, learns on 1024 training images and is
 * scored on 2000 test images, without selection (the last top-N mask). Arguments: steps, then settings as
 * {@code rule:η:C:K} ({@code raw:400:6:4 normalized:1:7:2 …}); a rule {@code relative} is the raw update with
 * η divided by the prior's training loss (the loss-relative alternative).
 */
public final class UpdateRuleExperiment {
    private UpdateRuleExperiment() {
    }

    public static void main(String[] args) {
        long steps = Long.parseLong(args[0]);
        FashionMnist fm = FashionMnist.atDefaultDirectory();
        List<DataSet> train = fm.load(FashionMnist.Split.TRAIN, 1024).batchBy(64);
        DataSet test = fm.load(FashionMnist.Split.TEST, 2000);
        NmPattern p24 = NmPattern.of(2, 4);
        System.out.println("setting,steps,heldout_loss,prior_heldout_loss,changed,seconds");
        for (int i = 1; i < args.length; i++) {
            String[] f = args[i].split(":");
            MultiLayerNetwork net = TrainedFashionCnn.getOrTrain(Path.of("examples/target/fashion-cnn-seed42.zip"), 42, 1);
            MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, p24, WeightSelection.all());
            Map<String, INDArray> prior = new MagnitudePrior().masks(model, train);
            model.weights().forEach(w -> w.applyMask(prior.get(w.name())));
            double priorTrain = train.stream().mapToDouble(model::loss).average().orElseThrow();
            double priorHeldOut = model.loss(test);
            double eta = Double.parseDouble(f[1]);
            UpdateRule rule = f[0].equals("relative") ? UpdateRule.RAW : UpdateRule.parse(f[0]);
            if (f[0].equals("relative")) {
                eta /= priorTrain;
            }
            MaskProConfig config = MaskProConfig.builder().pattern(p24).updateRule(rule).learningRate(eta)
                    .logitMagnitude(Double.parseDouble(f[2])).samplesPerStep(Integer.parseInt(f[3])).steps(steps)
                    .seed(1).logEvery((int) Math.max(1, steps / 5)).build();
            MaskProResult r = new MaskProLearner(config, null).learn(model, train, prior);
            System.out.println(String.format(Locale.ROOT, "%s,%d,%.5f,%.5f,%.4f,%.1f", args[i], steps, model.loss(test),
                    priorHeldOut, r.changedFromPrior(), r.seconds()));
        }
    }
}
