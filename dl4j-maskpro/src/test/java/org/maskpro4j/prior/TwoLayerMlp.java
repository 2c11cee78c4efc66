package org.maskpro4j.prior;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A real two-layer perceptron of plain INDArrays, x → W1 [hidden, in] → relu → W2 [out, hidden], whose inputRows
 * are the true inputs of each layer under the current live weights. It records every input it hands out. It declares
 * one calibration group per layer unless built {@link #asOneBlock}.
 */
final class TwoLayerMlp implements MaskableModel<INDArray> {
    final PlainWeight first;
    final PlainWeight second;
    final Map<String, List<INDArray>> handedOut = new LinkedHashMap<>();
    private final boolean oneBlock;

    TwoLayerMlp(INDArray w1, INDArray w2, NmPattern pattern) {
        this(w1, w2, pattern, false);
    }

    private TwoLayerMlp(INDArray w1, INDArray w2, NmPattern pattern, boolean oneBlock) {
        first = new PlainWeight("fc1.W", w1, pattern);
        second = new PlainWeight("fc2.W", w2, pattern);
        this.oneBlock = oneBlock;
    }

    /** The same perceptron declaring both layers one calibration group, as a transformer declares its blocks. */
    TwoLayerMlp asOneBlock() {
        return new TwoLayerMlp(first.dense(), second.dense(), first.layout().pattern(), true);
    }

    INDArray hidden(INDArray x, INDArray w1) {
        return Transforms.relu(x.mmul(w1.transpose()), true);
    }

    INDArray output(INDArray x) {
        return hidden(x, first.live()).mmul(second.live().transpose());
    }

    @Override
    public List<MaskableWeight> weights() {
        return List.of(first, second);
    }

    /** Mean squared distance of the output from the dense model's output. */
    @Override
    public double loss(INDArray x) {
        INDArray dense = hidden(x, first.dense()).mmul(second.dense().transpose());
        return Transforms.pow(output(x).sub(dense), 2, false).meanNumber().doubleValue();
    }

    @Override
    public List<List<String>> calibrationGroups() {
        return oneBlock ? List.of(List.of(first.name(), second.name())) : MaskableModel.super.calibrationGroups();
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, INDArray x) {
        INDArray rows;
        if (weight == first) {
            rows = x;
        } else if (weight == second) {
            rows = hidden(x, first.live());
        } else {
            throw new IllegalArgumentException("Unknown weight " + weight.name());
        }
        handedOut.computeIfAbsent(weight.name(), name -> new ArrayList<>()).add(rows.dup());
        return rows;
    }

    INDArray allHandedOut(String name) {
        return Nd4j.vstack(handedOut.get(name).toArray(new INDArray[0]));
    }

    /** A weight held in a plain array, [out, in] like a PyTorch linear layer. */
    static final class PlainWeight implements MaskableWeight {
        private final String name;
        private final GroupLayout layout;
        private final INDArray dense;
        private final INDArray live;

        PlainWeight(String name, INDArray weights, NmPattern pattern) {
            this.name = name;
            this.layout = GroupLayout.of(name, GroupLayout.Kind.OUT_IN, weights.shape(), pattern);
            this.dense = weights.dup();
            this.live = weights.dup();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public GroupLayout layout() {
            return layout;
        }

        @Override
        public INDArray dense() {
            return dense;
        }

        @Override
        public INDArray live() {
            return live;
        }

        @Override
        public void assignLive(INDArray weights) {
            live.assign(weights);
        }
    }
}
