package org.maskpro4j.weights;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-weight {@code [groups, M]} 0/1 masks keyed by weight name, held as {@link MaskBits}: 1/8 byte per position where the
 * BYTE masks a method hands out take 1, so a prior or a result kept for a whole run costs an eighth of them. It is a
 * read-only map of masks like any other: {@link #get} decodes a fresh BYTE copy of one weight's mask each time, and
 * iterating decodes one entry at a time. {@link #applyTo} and {@link #bits} read the bits without an array.
 */
public final class PackedMasks extends AbstractMap<String, INDArray> {
    private final Map<String, MaskBits> masks;

    private PackedMasks(Map<String, MaskBits> masks) {
        this.masks = Collections.unmodifiableMap(masks);
    }

    /**
     * {@code masks} packed, keyed and ordered as given (itself when already packed).
     *
     * @throws IllegalArgumentException where a mask is not {@code [groups, M]} or holds other values than 0 and 1
     */
    public static PackedMasks of(Map<String, INDArray> masks) {
        if (masks instanceof PackedMasks packed) {
            return packed;
        }
        Map<String, MaskBits> out = new LinkedHashMap<>();
        masks.forEach((name, mask) -> {
            MaskBits bits = mask.rank() == 2 ? MaskBits.ofBinary(mask, Integer.MAX_VALUE) : null;
            if (bits == null) {
                throw new IllegalArgumentException("The mask of weight '" + name + "' is not a [groups, M] mask of 0s and"
                        + " 1s (shape " + java.util.Arrays.toString(mask.shape()) + ")");
            }
            out.put(name, bits);
        });
        return new PackedMasks(out);
    }

    /** Masks already held as bits, keyed and ordered as given. */
    public static PackedMasks ofBits(Map<String, MaskBits> masks) {
        return new PackedMasks(new LinkedHashMap<>(masks));
    }

    /** Weight {@code name}'s mask as bits, or null where there is none. */
    public MaskBits bits(String name) {
        return masks.get(name);
    }

    /**
     * Makes {@code w} compute with its mask in {@code masks}: from the bits where they are packed, so no array of the
     * mask is made.
     *
     * @throws IllegalArgumentException where {@code masks} has no mask for {@code w}
     */
    public static void applyTo(MaskableWeight w, Map<String, INDArray> masks) {
        MaskBits bits = masks instanceof PackedMasks packed ? packed.bits(w.name()) : null;
        if (bits != null) {
            w.applyMask(bits);
        } else {
            w.applyMask(GroupRows.of(masks, w));
        }
    }

    /**
     * Weight {@code w}'s 0/1 mask in {@code masks} as bits: the packed ones as they are, others read from their array;
     * null where that holds other values than 0 and 1.
     *
     * @throws IllegalArgumentException where {@code masks} has no mask for {@code w} or it is not {@code [groups, M]}
     */
    public static MaskBits bitsOf(MaskableWeight w, Map<String, INDArray> masks) {
        MaskBits bits = masks instanceof PackedMasks packed ? packed.bits(w.name()) : null;
        return bits != null ? bits : MaskBits.ofBinary(GroupRows.of(masks, w), Integer.MAX_VALUE);
    }

    /** A fresh BYTE copy of weight {@code key}'s mask, or null where there is none. */
    @Override
    public INDArray get(Object key) {
        MaskBits bits = masks.get(key);
        return bits == null ? null : bits.toMask(ByteMasks.TYPE);
    }

    @Override
    public boolean containsKey(Object key) {
        return masks.containsKey(key);
    }

    @Override
    public Set<String> keySet() {
        return masks.keySet();
    }

    @Override
    public int size() {
        return masks.size();
    }

    /** Entries that decode their mask when read, one at a time. */
    @Override
    public Set<Entry<String, INDArray>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, INDArray>> iterator() {
                Iterator<String> names = masks.keySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return names.hasNext();
                    }

                    @Override
                    public Entry<String, INDArray> next() {
                        String name = names.next();
                        return new AbstractMap.SimpleImmutableEntry<>(name, get(name));
                    }
                };
            }

            @Override
            public int size() {
                return masks.size();
            }
        };
    }
}
