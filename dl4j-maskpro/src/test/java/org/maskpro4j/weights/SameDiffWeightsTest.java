package org.maskpro4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SameDiffWeightsTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    /** x[., 8] · a[8, 12] → linear(·, b[12, 6]) → · c[4, 6]ᵀ with c transposed, and d[6, 3] whose fan-in 6 is not a multiple of 4. */
    private static SameDiff graph() {
        Nd4j.getRandom().setSeed(3);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 8);
        SDVariable h = sd.mmul(x, sd.var("a", Nd4j.rand(DataType.FLOAT, 8, 12)));
        SDVariable g = sd.nn.linear(h, sd.var("b", Nd4j.rand(DataType.FLOAT, 12, 8)), sd.var("bias", Nd4j.rand(DataType.FLOAT, 8)));
        SDVariable t = sd.mmul(g, sd.var("c", Nd4j.rand(DataType.FLOAT, 4, 8)), false, true, false);
        SDVariable out = sd.mmul(t, sd.var("d", Nd4j.rand(DataType.FLOAT, 4, 3)));
        out.sum("loss");
        return sd;
    }

    private static SameDiffModel model(SameDiff sd, WeightSelection selection) {
        return SameDiffWeights.discover(sd, P24, selection).loss("loss").build();
    }

    @Test
    void findsMatrixProductWeightsWithTheirLayoutAndInputs(@TempDir Path dir) throws Exception {
        for (SameDiff sd : List.of(graph(), saveAndLoad(graph(), dir.resolve("g.fb").toFile()))) {
            SameDiffModel model = model(sd, WeightSelection.all());
            assertEquals(List.of("a", "b", "c", "d"), model.weights().stream().map(MaskableWeight::name).toList());
            assertEquals(GroupLayout.Kind.OUT_IN, model.weights().get(2).layout().kind(), "c is used transposed");
            assertEquals(GroupLayout.Kind.IN_OUT, model.weights().get(0).layout().kind());

            // each weight's calibration rows are its left operand, reduced over the weight's input axis
            Map<String, INDArray> batch = Map.of("x", Nd4j.rand(DataType.FLOAT, 5, 8));
            for (MaskableWeight w : model.weights()) {
                INDArray rows = model.inputRows(w, batch);
                assertEquals(5, rows.size(0));
                assertEquals(w.layout().rowLength(), rows.size(1), w.name());
            }
            assertEquals(batch.get("x"), model.inputRows(model.weights().get(0), batch));
        }
    }

    @Test
    void keepsDenseWhatDoesNotFitAndSaysWhy() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        SDVariable h = sd.mmul(x, sd.var("odd", Nd4j.rand(DataType.FLOAT, 6, 8)));
        sd.mmul(h, sd.var("even", Nd4j.rand(DataType.FLOAT, 8, 2))).sum("loss");
        SameDiffModel model = model(sd, WeightSelection.all());
        assertEquals(List.of("even"), model.weights().stream().map(MaskableWeight::name).toList());
        assertEquals(1, model.skipped().size());
        assertTrue(model.skipped().get(0).startsWith("odd: ") && model.skipped().get(0).contains("multiple of M=4"),
                model.skipped()::toString);

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> model(sd, WeightSelection.builder().include("odd").build()));
        assertTrue(none.getMessage().contains("No layer of this model can carry a 2:4 mask"), none::getMessage);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> model(sd, WeightSelection.builder().exclude("nosuch").build()));
        assertTrue(unknown.getMessage().contains("[nosuch] do not exist"), unknown::getMessage);
    }

    @Test
    void honoursTheSelection() {
        assertEquals(List.of("b", "c"), model(graph(), WeightSelection.builder().keepFirstDense(true).keepLastDense(true)
                .build()).weights().stream().map(MaskableWeight::name).toList());
        assertEquals(List.of("a", "d"), model(graph(), WeightSelection.builder().exclude("b", "c").build())
                .weights().stream().map(MaskableWeight::name).toList());
    }

    private static SameDiff saveAndLoad(SameDiff sd, File file) {
        sd.save(file, false);
        return SameDiff.load(file, false);
    }
}
