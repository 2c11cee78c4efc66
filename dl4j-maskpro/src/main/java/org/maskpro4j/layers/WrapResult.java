package org.maskpro4j.layers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link MaskProWrapping}: the new network, the layers now carrying MaskPro layers, and every other
 * layer with the reason it was kept as it was.
 *
 * @param network the new network (the source network is unchanged)
 * @param wrapped names of the layers that became MaskPro layers, in network order
 * @param skipped name → reason for each layer that was not wrapped, in network order
 * @param <M>     MultiLayerNetwork or ComputationGraph
 */
public record WrapResult<M>(M network, List<String> wrapped, Map<String, String> skipped) {
    public WrapResult {
        wrapped = List.copyOf(wrapped);
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }
}
