package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.maskpro4j.testing.SmallMlp;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

class Dl4jDataTest {
    private static final List<DataSet> DATA = SmallMlp.data(1, 5, 8);

    @Test
    void batchesAreBoundedAndLeaveTheIteratorRewound() {
        ListDataSetIterator<DataSet> it = new ListDataSetIterator<>(DATA, 1);
        it.next();
        List<DataSet> first = Dl4jData.batches(it, 3);
        assertEquals(3, first.size());
        assertEquals(DATA.get(0).getFeatures(), first.get(0).getFeatures(), "not read from the iterator's start");
        assertTrue(it.hasNext());
        assertEquals(DATA.get(0).getFeatures(), it.next().getFeatures(), "the iterator was not rewound for fit()");
        assertEquals(5, Dl4jData.batches(new ListDataSetIterator<>(DATA, 1), 100).size());
        assertThrows(IllegalArgumentException.class, () -> Dl4jData.batches(new ListDataSetIterator<>(DATA, 1), 0));
    }

    @Test
    void placeholdersFollowTheGraphsTrainingConfig() {
        SameDiff sd = SameDiff.create();
        sd.placeHolder("x", DataType.FLOAT, -1, 16);
        sd.placeHolder("y", DataType.FLOAT, -1, 4);
        assertThrows(IllegalArgumentException.class, () -> Dl4jData.placeholders(sd, new ListDataSetIterator<>(DATA, 1), 2));
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0)).dataSetFeatureMapping("x").dataSetLabelMapping("y")
                .build());
        List<Map<String, INDArray>> maps = Dl4jData.placeholders(sd, new ListDataSetIterator<>(DATA, 1), 2);
        assertEquals(2, maps.size());
        assertEquals(DATA.get(1).getFeatures(), maps.get(1).get("x"));
        assertEquals(DATA.get(1).getLabels(), maps.get(1).get("y"));
    }
}
