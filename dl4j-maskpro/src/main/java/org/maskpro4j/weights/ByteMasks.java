package org.maskpro4j.weights;

import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The type every mask the library hands out comes in: BYTE 0/1, a quarter of a FLOAT mask (7 GB instead of 28 GB for
 * the masks of a 7B-weight model). APIs that take masks accept any numeric 0/1 type and cast only where they multiply,
 * one weight at a time.
 */
public final class ByteMasks {
    /** The type of the masks the library hands out. */
    public static final DataType TYPE = DataType.BYTE;

    private ByteMasks() {
    }

    /**
     * {@code mask} as BYTE: itself when it already is, else a copy cast from it after checking that it holds only 0 and 1
     * (a plain cast would truncate anything else into a valid-looking mask).
     *
     * @throws IllegalArgumentException when a non-BYTE mask holds other values than 0 and 1
     */
    public static INDArray of(INDArray mask) {
        return of(mask, "A mask");
    }

    /**
     * {@code mask}, which holds only 0 and 1 by construction or was checked already (e.g. by {@code Strictness}), as
     * BYTE: itself when it already is, else a cast copy. Unlike {@link #of(INDArray)} it makes no checking pass, which
     * on a mask of all weights would cost a floating copy of it.
     */
    public static INDArray ofBinary(INDArray mask) {
        return mask.dataType() == TYPE ? mask : mask.castTo(TYPE);
    }

    /**
     * {@link #of(INDArray)} of every mask, keyed and ordered as given; each weight is cast on its own. {@link PackedMasks}
     * read as BYTE already and are returned as they are: a copy would decode them all.
     */
    public static Map<String, INDArray> of(Map<String, INDArray> masks) {
        if (masks instanceof PackedMasks) {
            return masks;
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        masks.forEach((name, mask) -> out.put(name, of(mask, "The mask of weight '" + name + "'")));
        return out;
    }

    private static INDArray of(INDArray mask, String what) {
        if (mask.dataType() == TYPE || mask.isEmpty()) {
            return mask;
        }
        INDArray x = mask.dataType().isFPType() ? mask : mask.castTo(DataType.DOUBLE);
        // x·(1 − x) is 0 exactly at 0 and 1; a NaN makes the sum NaN (amax would skip it)
        if (!(Transforms.abs(x.rsub(1.0).muli(x), false).sumNumber().doubleValue() == 0)) {
            throw new IllegalArgumentException(what + " holds values other than 0 and 1");
        }
        return mask.castTo(TYPE);
    }
}
