package org.maskpro4j.maskpro;

import java.util.Iterator;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Adapts DL4J iterators to the {@code Iterable} the learner cycles over: each pass resets the iterator. */
public final class Dl4jData {
    private Dl4jData() {
    }

    public static Iterable<DataSet> iterable(DataSetIterator iterator) {
        if (!iterator.resetSupported()) {
            throw new IllegalArgumentException("MaskPro cycles over the data, but " + iterator.getClass().getSimpleName()
                    + " cannot be reset; wrap the data in a resettable iterator (e.g. ListDataSetIterator)");
        }
        return () -> {
            iterator.reset();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public DataSet next() {
                    return iterator.next();
                }
            };
        };
    }
}
