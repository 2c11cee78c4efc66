package org.maskpro4j.nm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorChunkMath}'s float subset DP (maskpro-spec §1.6(e)) for N = 4 (4:8, 4:16), written out over the 15
 * drawn sets with the tables in registers instead of loops over bitmasks through scratch: the same operations in the
 * same order, so the same bits (FusedGroupKernelTest checks it), with about half the vector operations. 16 groups
 * per call, AVX-512 floats only. Split into methods of a few dozen vector operations each, for the reason given in
 * {@link FourPositionLanes}: the JIT stops inlining the Vector API in larger ones and then boxes every vector.
 */
final class FourKeptLanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final int N = 4;

    private FourKeptLanes() {
    }

    /** Whether this JVM runs these forms for N kept of a group: N = 4 and 16 float lanes. */
    static boolean supported(int n) {
        return n == N && FloatVector.SPECIES_PREFERRED.length() == F.length();
    }

    /**
     * The DP of 16 groups from their kept probabilities by rank ({@code kept}, 4 rows of 16) and unkept mass
     * ({@code acc[unkept..+16)}): C_out[k] (the weight of the drawn sets without kept position k) into
     * {@code cOut}, C_all into {@code acc[cAll..+16)} and the scaled P(S) into {@code acc[scaledFull..+16)}, all
     * still to be divided by the scaled P(S); {@code inv}, {@code forward} and {@code backward} are 15 rows of
     * scratch each.
     */
    static void weights(float[] kept, float[] acc, int unkept, int cAll, int scaledFull, float[] inv, float[] forward,
            float[] backward, float[] cOut) {
        inverses(kept, acc, unkept, inv);
        forward(inv, forward, acc, scaledFull);
        backward0(inv, forward, backward, cOut);
        backward1(inv, forward, backward, cOut);
        weightSum(forward, acc, cAll);
    }

    /** inv[t] = 1/(kept mass outside t + unkept mass) for t < full. */
    private static void inverses(float[] kept, float[] unkeptAt, int u, float[] inv) {
        FloatVector unkept = FloatVector.fromArray(F, unkeptAt, u);
        FloatVector k0 = FloatVector.fromArray(F, kept, 0);
        FloatVector k1 = FloatVector.fromArray(F, kept, 16);
        FloatVector k2 = FloatVector.fromArray(F, kept, 32);
        FloatVector k3 = FloatVector.fromArray(F, kept, 48);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector s3 = k1.add(k0);
        FloatVector s5 = k2.add(k0);
        FloatVector s6 = k2.add(k1);
        FloatVector s7 = s6.add(k0);
        FloatVector s9 = k3.add(k0);
        FloatVector s10 = k3.add(k1);
        FloatVector s11 = s10.add(k0);
        FloatVector s12 = k3.add(k2);
        FloatVector s13 = s12.add(k0);
        FloatVector s14 = s12.add(k1);
        FloatVector s15 = s14.add(k0);
        one.div(s15.add(unkept)).intoArray(inv, 0);
        one.div(s14.add(unkept)).intoArray(inv, 16);
        one.div(s13.add(unkept)).intoArray(inv, 32);
        one.div(s12.add(unkept)).intoArray(inv, 48);
        one.div(s11.add(unkept)).intoArray(inv, 64);
        one.div(s10.add(unkept)).intoArray(inv, 80);
        one.div(s9.add(unkept)).intoArray(inv, 96);
        one.div(k3.add(unkept)).intoArray(inv, 112);
        one.div(s7.add(unkept)).intoArray(inv, 128);
        one.div(s6.add(unkept)).intoArray(inv, 144);
        one.div(s5.add(unkept)).intoArray(inv, 160);
        one.div(k2.add(unkept)).intoArray(inv, 176);
        one.div(s3.add(unkept)).intoArray(inv, 192);
        one.div(k1.add(unkept)).intoArray(inv, 208);
        one.div(k0.add(unkept)).intoArray(inv, 224);
    }

    /** The scaled forward table F[t] for t < full, and the scaled P(S), the sum of F[full \ k], into scaledFullAt. */
    private static void forward(float[] inv, float[] forward, float[] scaledFullAt, int s) {
        FloatVector i0 = FloatVector.fromArray(F, inv, 0);
        FloatVector i1 = FloatVector.fromArray(F, inv, 16);
        FloatVector i2 = FloatVector.fromArray(F, inv, 32);
        FloatVector i3 = FloatVector.fromArray(F, inv, 48);
        FloatVector i4 = FloatVector.fromArray(F, inv, 64);
        FloatVector i5 = FloatVector.fromArray(F, inv, 80);
        FloatVector i6 = FloatVector.fromArray(F, inv, 96);
        FloatVector i7 = FloatVector.fromArray(F, inv, 112);
        FloatVector i8 = FloatVector.fromArray(F, inv, 128);
        FloatVector i9 = FloatVector.fromArray(F, inv, 144);
        FloatVector i10 = FloatVector.fromArray(F, inv, 160);
        FloatVector i11 = FloatVector.fromArray(F, inv, 176);
        FloatVector i12 = FloatVector.fromArray(F, inv, 192);
        FloatVector i13 = FloatVector.fromArray(F, inv, 208);
        FloatVector i14 = FloatVector.fromArray(F, inv, 224);
        FloatVector f0 = i0;
        FloatVector f1 = f0.mul(i1);
        FloatVector f2 = f0.mul(i2);
        FloatVector f3 = f2.add(f1).mul(i3);
        FloatVector f4 = f0.mul(i4);
        FloatVector f5 = f4.add(f1).mul(i5);
        FloatVector f6 = f4.add(f2).mul(i6);
        FloatVector f7 = f6.add(f5).add(f3).mul(i7);
        FloatVector f8 = f0.mul(i8);
        FloatVector f9 = f8.add(f1).mul(i9);
        FloatVector f10 = f8.add(f2).mul(i10);
        FloatVector f11 = f10.add(f9).add(f3).mul(i11);
        FloatVector f12 = f8.add(f4).mul(i12);
        FloatVector f13 = f12.add(f9).add(f5).mul(i13);
        FloatVector f14 = f12.add(f10).add(f6).mul(i14);
        f0.intoArray(forward, 0);
        f1.intoArray(forward, 16);
        f2.intoArray(forward, 32);
        f3.intoArray(forward, 48);
        f4.intoArray(forward, 64);
        f5.intoArray(forward, 80);
        f6.intoArray(forward, 96);
        f7.intoArray(forward, 112);
        f8.intoArray(forward, 128);
        f9.intoArray(forward, 144);
        f10.intoArray(forward, 160);
        f11.intoArray(forward, 176);
        f12.intoArray(forward, 192);
        f13.intoArray(forward, 208);
        f14.intoArray(forward, 224);
        f14.add(f13).add(f11).add(f7).intoArray(scaledFullAt, s);
    }

    /**
     * The scaled backward table for t = 14..7, each weight F[t]·B[t] over F[t] in {@code forward}, its B[t] kept for
     * {@link #backward1}, and the weights summed into C_out[k] for the k not in t.
     */
    private static void backward0(float[] inv, float[] forward, float[] backward, float[] cOut) {
        FloatVector b14 = FloatVector.fromArray(F, inv, 224);
        FloatVector w14 = FloatVector.fromArray(F, forward, 224).mul(b14);
        w14.intoArray(forward, 224);
        FloatVector c0 = w14;
        FloatVector b13 = FloatVector.fromArray(F, inv, 208);
        FloatVector w13 = FloatVector.fromArray(F, forward, 208).mul(b13);
        w13.intoArray(forward, 208);
        FloatVector c1 = w13;
        FloatVector b12 = b13.add(b14).mul(FloatVector.fromArray(F, inv, 192));
        FloatVector w12 = FloatVector.fromArray(F, forward, 192).mul(b12);
        w12.intoArray(forward, 192);
        c0 = c0.add(w12);
        c1 = c1.add(w12);
        FloatVector b11 = FloatVector.fromArray(F, inv, 176);
        FloatVector w11 = FloatVector.fromArray(F, forward, 176).mul(b11);
        w11.intoArray(forward, 176);
        FloatVector c2 = w11;
        FloatVector b10 = b11.add(b14).mul(FloatVector.fromArray(F, inv, 160));
        FloatVector w10 = FloatVector.fromArray(F, forward, 160).mul(b10);
        w10.intoArray(forward, 160);
        c0 = c0.add(w10);
        c2 = c2.add(w10);
        FloatVector b9 = b11.add(b13).mul(FloatVector.fromArray(F, inv, 144));
        FloatVector w9 = FloatVector.fromArray(F, forward, 144).mul(b9);
        w9.intoArray(forward, 144);
        c1 = c1.add(w9);
        c2 = c2.add(w9);
        FloatVector b8 = b9.add(b10).add(b12).mul(FloatVector.fromArray(F, inv, 128));
        FloatVector w8 = FloatVector.fromArray(F, forward, 128).mul(b8);
        w8.intoArray(forward, 128);
        c0 = c0.add(w8);
        c1 = c1.add(w8);
        c2 = c2.add(w8);
        FloatVector b7 = FloatVector.fromArray(F, inv, 112);
        FloatVector w7 = FloatVector.fromArray(F, forward, 112).mul(b7);
        w7.intoArray(forward, 112);
        FloatVector c3 = w7;
        b7.intoArray(backward, 112);
        b8.intoArray(backward, 128);
        b9.intoArray(backward, 144);
        b10.intoArray(backward, 160);
        b11.intoArray(backward, 176);
        b12.intoArray(backward, 192);
        b13.intoArray(backward, 208);
        b14.intoArray(backward, 224);
        c0.intoArray(cOut, 0);
        c1.intoArray(cOut, 16);
        c2.intoArray(cOut, 32);
        c3.intoArray(cOut, 48);
    }

    /** {@link #backward0} for t = 6..0, adding to its C_out. */
    private static void backward1(float[] inv, float[] forward, float[] backward, float[] cOut) {
        FloatVector c0 = FloatVector.fromArray(F, cOut, 0);
        FloatVector c1 = FloatVector.fromArray(F, cOut, 16);
        FloatVector c2 = FloatVector.fromArray(F, cOut, 32);
        FloatVector c3 = FloatVector.fromArray(F, cOut, 48);
        FloatVector b7 = FloatVector.fromArray(F, backward, 112);
        FloatVector b8 = FloatVector.fromArray(F, backward, 128);
        FloatVector b9 = FloatVector.fromArray(F, backward, 144);
        FloatVector b10 = FloatVector.fromArray(F, backward, 160);
        FloatVector b11 = FloatVector.fromArray(F, backward, 176);
        FloatVector b12 = FloatVector.fromArray(F, backward, 192);
        FloatVector b13 = FloatVector.fromArray(F, backward, 208);
        FloatVector b14 = FloatVector.fromArray(F, backward, 224);
        FloatVector b6 = b7.add(b14).mul(FloatVector.fromArray(F, inv, 96));
        FloatVector w6 = FloatVector.fromArray(F, forward, 96).mul(b6);
        w6.intoArray(forward, 96);
        c0 = c0.add(w6);
        c3 = c3.add(w6);
        FloatVector b5 = b7.add(b13).mul(FloatVector.fromArray(F, inv, 80));
        FloatVector w5 = FloatVector.fromArray(F, forward, 80).mul(b5);
        w5.intoArray(forward, 80);
        c1 = c1.add(w5);
        c3 = c3.add(w5);
        FloatVector b4 = b5.add(b6).add(b12).mul(FloatVector.fromArray(F, inv, 64));
        FloatVector w4 = FloatVector.fromArray(F, forward, 64).mul(b4);
        w4.intoArray(forward, 64);
        c0 = c0.add(w4);
        c1 = c1.add(w4);
        c3 = c3.add(w4);
        FloatVector b3 = b7.add(b11).mul(FloatVector.fromArray(F, inv, 48));
        FloatVector w3 = FloatVector.fromArray(F, forward, 48).mul(b3);
        w3.intoArray(forward, 48);
        c2 = c2.add(w3);
        c3 = c3.add(w3);
        FloatVector b2 = b3.add(b6).add(b10).mul(FloatVector.fromArray(F, inv, 32));
        FloatVector w2 = FloatVector.fromArray(F, forward, 32).mul(b2);
        w2.intoArray(forward, 32);
        c0 = c0.add(w2);
        c2 = c2.add(w2);
        c3 = c3.add(w2);
        FloatVector b1 = b3.add(b5).add(b9).mul(FloatVector.fromArray(F, inv, 16));
        FloatVector w1 = FloatVector.fromArray(F, forward, 16).mul(b1);
        w1.intoArray(forward, 16);
        c1 = c1.add(w1);
        c2 = c2.add(w1);
        c3 = c3.add(w1);
        FloatVector b0 = b1.add(b2).add(b4).add(b8).mul(FloatVector.fromArray(F, inv, 0));
        FloatVector w0 = FloatVector.fromArray(F, forward, 0).mul(b0);
        w0.intoArray(forward, 0);
        c0 = c0.add(w0);
        c1 = c1.add(w0);
        c2 = c2.add(w0);
        c3 = c3.add(w0);
        c0.intoArray(cOut, 0);
        c1.intoArray(cOut, 16);
        c2.intoArray(cOut, 32);
        c3.intoArray(cOut, 48);
    }

    /** C_all: the weights of all t < full, in ascending t. */
    private static void weightSum(float[] weights, float[] cAllAt, int c) {
        FloatVector sum = FloatVector.fromArray(F, weights, 0);
        sum = sum.add(FloatVector.fromArray(F, weights, 16));
        sum = sum.add(FloatVector.fromArray(F, weights, 32));
        sum = sum.add(FloatVector.fromArray(F, weights, 48));
        sum = sum.add(FloatVector.fromArray(F, weights, 64));
        sum = sum.add(FloatVector.fromArray(F, weights, 80));
        sum = sum.add(FloatVector.fromArray(F, weights, 96));
        sum = sum.add(FloatVector.fromArray(F, weights, 112));
        sum = sum.add(FloatVector.fromArray(F, weights, 128));
        sum = sum.add(FloatVector.fromArray(F, weights, 144));
        sum = sum.add(FloatVector.fromArray(F, weights, 160));
        sum = sum.add(FloatVector.fromArray(F, weights, 176));
        sum = sum.add(FloatVector.fromArray(F, weights, 192));
        sum = sum.add(FloatVector.fromArray(F, weights, 208));
        sum = sum.add(FloatVector.fromArray(F, weights, 224));
        sum.intoArray(cAllAt, c);
    }

    // M = 8 (4:8): the kept probabilities by rank and the gradient's weights by rank move through a queue of four
    // vectors (a kept position pushes or pops it) instead of comparing every position's rank with every rank: the same
    // values as the general lanes' masked sums and selections, so the same bits

    /**
     * The kept probabilities of the 16 groups at lane offset b of the rows, by rank among the kept positions, into
     * {@code kept} (4 rows of 16), and their unkept mass into {@code unkeptAt[u..+16)}; groups of 8.
     */
    static void gatherOfEight(float[] ps, float[] ks, int b, int rowLength, float[] kept, float[] unkeptAt, int u) {
        pushKept(ps, ks, b, rowLength, kept, 7, true);
        pushKept(ps, ks, b, rowLength, kept, 3, false);
        unkeptOfEight(ps, ks, b, rowLength, unkeptAt, u);
    }

    /**
     * Positions {@code last}..last − 3, descending: each kept one pushes its probability to the front of the queue in
     * {@code kept}, so after all 8 the front holds the first kept position's.
     */
    private static void pushKept(float[] ps, float[] ks, int b, int rowLength, float[] kept, int last,
            boolean empty) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector q0 = empty ? zero : FloatVector.fromArray(F, kept, 0);
        FloatVector q1 = empty ? zero : FloatVector.fromArray(F, kept, 16);
        FloatVector q2 = empty ? zero : FloatVector.fromArray(F, kept, 32);
        FloatVector q3 = empty ? zero : FloatVector.fromArray(F, kept, 48);
        int i0 = b + (last - 0) * rowLength;
        FloatVector k0 = FloatVector.fromArray(F, ks, i0);
        VectorMask<Float> m0 = k0.compare(VectorOperators.NE, 0f);
        q3 = q3.blend(q2, m0);
        q2 = q2.blend(q1, m0);
        q1 = q1.blend(q0, m0);
        q0 = q0.blend(FloatVector.fromArray(F, ps, i0).mul(k0), m0);
        int i1 = b + (last - 1) * rowLength;
        FloatVector k1 = FloatVector.fromArray(F, ks, i1);
        VectorMask<Float> m1 = k1.compare(VectorOperators.NE, 0f);
        q3 = q3.blend(q2, m1);
        q2 = q2.blend(q1, m1);
        q1 = q1.blend(q0, m1);
        q0 = q0.blend(FloatVector.fromArray(F, ps, i1).mul(k1), m1);
        int i2 = b + (last - 2) * rowLength;
        FloatVector k2 = FloatVector.fromArray(F, ks, i2);
        VectorMask<Float> m2 = k2.compare(VectorOperators.NE, 0f);
        q3 = q3.blend(q2, m2);
        q2 = q2.blend(q1, m2);
        q1 = q1.blend(q0, m2);
        q0 = q0.blend(FloatVector.fromArray(F, ps, i2).mul(k2), m2);
        int i3 = b + (last - 3) * rowLength;
        FloatVector k3 = FloatVector.fromArray(F, ks, i3);
        VectorMask<Float> m3 = k3.compare(VectorOperators.NE, 0f);
        q3 = q3.blend(q2, m3);
        q2 = q2.blend(q1, m3);
        q1 = q1.blend(q0, m3);
        q0 = q0.blend(FloatVector.fromArray(F, ps, i3).mul(k3), m3);
        q0.intoArray(kept, 0);
        q1.intoArray(kept, 16);
        q2.intoArray(kept, 32);
        q3.intoArray(kept, 48);
    }

    /** The sum of p − p·k over the 8 positions, ascending. */
    private static void unkeptOfEight(float[] ps, float[] ks, int b, int rowLength, float[] unkeptAt, int u) {
        FloatVector p = FloatVector.fromArray(F, ps, b);
        FloatVector sum = p.sub(p.mul(FloatVector.fromArray(F, ks, b)));
        p = FloatVector.fromArray(F, ps, b + 1 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 1 * rowLength))));
        p = FloatVector.fromArray(F, ps, b + 2 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 2 * rowLength))));
        p = FloatVector.fromArray(F, ps, b + 3 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 3 * rowLength))));
        p = FloatVector.fromArray(F, ps, b + 4 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 4 * rowLength))));
        p = FloatVector.fromArray(F, ps, b + 5 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 5 * rowLength))));
        p = FloatVector.fromArray(F, ps, b + 6 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 6 * rowLength))));
        p = FloatVector.fromArray(F, ps, b + 7 * rowLength);
        sum = sum.add(p.sub(p.mul(FloatVector.fromArray(F, ks, b + 7 * rowLength))));
        sum.intoArray(unkeptAt, u);
    }

    /**
     * The gradient of the 16 groups at lane offset b into the rows of ps (which hold their probabilities), from the
     * weights by rank in {@code cOut} (4 rows of 16; consumed), C_all at {@code acc[cAll..+16)} and the scaled P(S) at
     * {@code acc[scaledFull..+16)}; groups of 8.
     */
    static void gradientOfEight(float[] ps, float[] ks, int b, int rowLength, float[] cOut, float[] acc, int cAll,
            int scaledFull) {
        FloatVector norm = FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, acc, scaledFull));
        norm.intoArray(acc, scaledFull);
        norm.mul(FloatVector.fromArray(F, acc, cAll)).neg().intoArray(acc, cAll);
        popWeights(ps, ks, b, rowLength, cOut, acc, cAll, scaledFull, 0);
        popWeights(ps, ks, b, rowLength, cOut, acc, cAll, scaledFull, 4);
    }

    /**
     * Positions first..first + 3, ascending: a kept position takes its weight from the front of the queue in
     * {@code cOut} and pops it; {@code acc} holds 1/P(S) and −C_all/P(S).
     */
    private static void popWeights(float[] ps, float[] ks, int b, int rowLength, float[] cOut, float[] acc,
            int outside, int norm, int first) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector scale = FloatVector.fromArray(F, acc, norm);
        FloatVector minusAll = FloatVector.fromArray(F, acc, outside);
        FloatVector q0 = FloatVector.fromArray(F, cOut, 0);
        FloatVector q1 = FloatVector.fromArray(F, cOut, 16);
        FloatVector q2 = FloatVector.fromArray(F, cOut, 32);
        FloatVector q3 = FloatVector.fromArray(F, cOut, 48);
        int i0 = b + (first + 0) * rowLength;
        FloatVector p0 = FloatVector.fromArray(F, ps, i0);
        FloatVector k0 = FloatVector.fromArray(F, ks, i0);
        one.sub(p0.mul(q0.mul(scale))).mul(k0).add(p0.mul(minusAll).mul(one.sub(k0))).intoArray(ps, i0);
        VectorMask<Float> m0 = k0.compare(VectorOperators.NE, 0f);
        q0 = q0.blend(q1, m0);
        q1 = q1.blend(q2, m0);
        q2 = q2.blend(q3, m0);
        q3 = q3.blend(zero, m0);
        int i1 = b + (first + 1) * rowLength;
        FloatVector p1 = FloatVector.fromArray(F, ps, i1);
        FloatVector k1 = FloatVector.fromArray(F, ks, i1);
        one.sub(p1.mul(q0.mul(scale))).mul(k1).add(p1.mul(minusAll).mul(one.sub(k1))).intoArray(ps, i1);
        VectorMask<Float> m1 = k1.compare(VectorOperators.NE, 0f);
        q0 = q0.blend(q1, m1);
        q1 = q1.blend(q2, m1);
        q2 = q2.blend(q3, m1);
        q3 = q3.blend(zero, m1);
        int i2 = b + (first + 2) * rowLength;
        FloatVector p2 = FloatVector.fromArray(F, ps, i2);
        FloatVector k2 = FloatVector.fromArray(F, ks, i2);
        one.sub(p2.mul(q0.mul(scale))).mul(k2).add(p2.mul(minusAll).mul(one.sub(k2))).intoArray(ps, i2);
        VectorMask<Float> m2 = k2.compare(VectorOperators.NE, 0f);
        q0 = q0.blend(q1, m2);
        q1 = q1.blend(q2, m2);
        q2 = q2.blend(q3, m2);
        q3 = q3.blend(zero, m2);
        int i3 = b + (first + 3) * rowLength;
        FloatVector p3 = FloatVector.fromArray(F, ps, i3);
        FloatVector k3 = FloatVector.fromArray(F, ks, i3);
        one.sub(p3.mul(q0.mul(scale))).mul(k3).add(p3.mul(minusAll).mul(one.sub(k3))).intoArray(ps, i3);
        VectorMask<Float> m3 = k3.compare(VectorOperators.NE, 0f);
        q0 = q0.blend(q1, m3);
        q1 = q1.blend(q2, m3);
        q2 = q2.blend(q3, m3);
        q3 = q3.blend(zero, m3);
        q0.intoArray(cOut, 0);
        q1.intoArray(cOut, 16);
        q2.intoArray(cOut, 32);
        q3.intoArray(cOut, 48);
    }
}
