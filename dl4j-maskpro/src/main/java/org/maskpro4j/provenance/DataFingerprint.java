package org.maskpro4j.provenance;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * SHA-256 over the bytes of the batches a mask was computed from: each array's data type, shape and values in C
 * order, in batch order. DataSets, MultiDataSets, maps of arrays (SameDiff placeholders, by sorted key), lists and
 * records of arrays (e.g. a LLaMA batch) are taken apart; the same data gives the same fingerprint on any machine.
 */
public final class DataFingerprint {
    private DataFingerprint() {
    }

    /** {@code "sha256:<hex>"}, or {@code "unknown: <type>"} when a batch holds something other than arrays. */
    public static String of(Iterable<?> batches) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no SHA-256", e);
        }
        try {
            for (Object batch : batches) {
                feed(digest, batch);
            }
        } catch (Unknown u) {
            return "unknown: " + u.getMessage();
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static final class Unknown extends RuntimeException {
        Unknown(String type) {
            super(type, null, false, false);
        }
    }

    private static void feed(MessageDigest d, Object o) {
        if (o == null) {
            d.update((byte) 0);
        } else if (o instanceof INDArray a) {
            d.update(a.dataType().name().getBytes(StandardCharsets.UTF_8));
            for (long s : a.shape()) {
                d.update(Long.toString(s).getBytes(StandardCharsets.UTF_8));
                d.update((byte) ',');
            }
            d.update(valuesInCOrder(a));
        } else if (o instanceof DataSet ds) {
            feedAll(d, ds.getFeatures(), ds.getLabels(), ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
        } else if (o instanceof MultiDataSet mds) {
            feedAll(d, mds.getFeatures(), mds.getLabels(), mds.getFeaturesMaskArrays(), mds.getLabelsMaskArrays());
        } else if (o instanceof Map<?, ?> m) {
            for (Map.Entry<String, ?> e : new TreeMap<String, Object>(stringKeys(m)).entrySet()) {
                d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                feed(d, e.getValue());
            }
        } else if (o instanceof Iterable<?> it) {
            it.forEach(x -> feed(d, x));
        } else if (o instanceof Object[] arr) {
            for (Object x : arr) {
                feed(d, x);
            }
        } else if (o instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    feed(d, c.getAccessor().invoke(r));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new Unknown(r.getClass().getName());
                }
            }
        } else if (o instanceof Number || o instanceof CharSequence || o instanceof Boolean) {
            d.update(o.toString().getBytes(StandardCharsets.UTF_8));
        } else {
            throw new Unknown(o.getClass().getName());
        }
    }

    private static byte[] valuesInCOrder(INDArray a) {
        if (a.ordering() == 'c' && !a.isView() && a.length() == a.data().length()) {
            return a.data().asBytes();
        }
        try (INDArray copy = a.dup('c')) { // freed now: a pass over many batches rarely triggers the GC that would
            return copy.data().asBytes();
        }
    }

    private static void feedAll(MessageDigest d, Object... parts) {
        for (Object p : parts) {
            feed(d, p);
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
