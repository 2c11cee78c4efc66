package org.maskpro4j.examples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.testing.SmallMlp;
import org.nd4j.linalg.dataset.DataSet;

/** Progress lines of a real fit: one per interval, and always the last iteration. */
class TrainingProgressTest {

    private static List<String> fit(long intervalNanos) {
        MultiLayerNetwork net = SmallMlp.trainedMlp(1);
        List<DataSet> batches = SmallMlp.data(2, 5, 16);
        List<String> lines = new ArrayList<>();
        net.setListeners(new TrainingProgress("mlp", 2, batches.size(), intervalNanos, lines::add));
        for (int epoch = 0; epoch < 2; epoch++) {
            net.fit(new ListDataSetIterator<>(batches, 1));
        }
        return lines;
    }

    @Test
    void testIterationDone_EveryIterationAtZeroInterval() {
        List<String> lines = fit(0);
        assertEquals(10, lines.size());
        assertTrue(lines.get(0).startsWith("mlp epoch 1/2 iteration 1/5 score "), lines.get(0));
        assertTrue(lines.get(6).startsWith("mlp epoch 2/2 iteration 2/5 score "), lines.get(6));
        assertTrue(lines.get(9).matches("mlp epoch 2/2 iteration 5/5 score \\d+\\.\\d{4} \\[#{20}\\] 100%  .* steps/s  ETA 0m00s"),
                lines.get(9));
    }

    @Test
    void testIterationDone_OnlyTheLastWithinAnInterval() {
        List<String> lines = fit(Long.MAX_VALUE);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("mlp epoch 2/2 iteration 5/5"), lines.get(0));
    }

    @Test
    void testConstructor_RejectsEmptyRuns() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingProgress("x", 0, 5, 0, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> new TrainingProgress("x", 1, 0, 0, s -> { }));
    }
}
