package org.maskpro4j.reconstruct;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kept weights of every row that best reproduce the dense row's outputs on the calibration inputs:
 * {@code min over w' with w'_j = 0 off the mask of (w' − w)ᵀ H_d (w' − w)}, with {@code H = 2XᵀX/n} and
 * {@code H_d = H + λI} (λ a fraction of mean(diag H), SparseGPT's dampening). Its solution is
 * {@code (H_d)_SS w'_S = (H_d w)_S} on each row's support S: what SparseGPT's OBS update approximates column by column,
 * solved exactly here because the mask is given instead of chosen.
 *
 * <p>Every row has its own support, so the rows are solved together by Jacobi-preconditioned conjugate gradients on
 * the masked system (each step is one {@code [rows, K]·[K, K]} product for all rows); CG is exact after |S| steps in
 * exact arithmetic and stops earlier once every row's residual is below the tolerance.
 */
public final class MaskedLeastSquares {
    private final double dampening;
    private final double tolerance;

    /**
     * @param dampening λ as a fraction of mean(diag H), ≥ 0
     * @param tolerance stop when every row's residual norm is below this fraction of its right-hand side's, in (0, 1)
     */
    public MaskedLeastSquares(double dampening, double tolerance) {
        if (!(dampening >= 0) || Double.isInfinite(dampening)) {
            throw new IllegalArgumentException("Reconstruction dampening must be a finite fraction >= 0 of mean(diag H), got "
                    + dampening);
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("Reconstruction tolerance must lie in (0, 1), got " + tolerance);
        }
        this.dampening = dampening;
        this.tolerance = tolerance;
    }

    /** The solved rows and how well they fit. */
    public record Solution(INDArray rows, int iterations, double relativeResidual, double errorBefore, double errorAfter) {
    }

    /**
     * @param rows    dense weights in row view {@code [R, K]}
     * @param keep    0/1 {@code [R, K]}, the mask in the same view
     * @param hessian {@code [K, K]} {@code 2XᵀX/n}
     * @return rows zero off the mask; errors are {@code Σ_r (w' − w)ᵀ H (w' − w) / Σ_r wᵀ H w} for the mask-only weights
     *         (before) and the solution (after): the layer's relative output error on the calibration inputs
     */
    public Solution solve(String weightName, INDArray rows, INDArray keep, INDArray hessian) {
        long k = rows.size(1);
        if (rows.rank() != 2 || !Arrays.equals(rows.shape(), keep.shape()) || hessian.rank() != 2
                || hessian.size(0) != k || hessian.size(1) != k) {
            throw new IllegalArgumentException("Reconstruction of weight '" + weightName + "': rows "
                    + Arrays.toString(rows.shape()) + ", mask " + Arrays.toString(keep.shape()) + " and Hessian "
                    + Arrays.toString(hessian.shape()) + " do not fit ([R, K], [R, K], [K, K])");
        }
        INDArray w = rows.castTo(DataType.DOUBLE).dup('c');
        INDArray m = keep.castTo(DataType.DOUBLE).dup('c');
        INDArray h = hessian.castTo(DataType.DOUBLE).dup('c');
        INDArray hd = h.dup('c');
        // a column no calibration row touched has no curvature; as in SparseGPT its diagonal becomes 1
        INDArray dead = Nd4j.diag(hd).eq(0.0).castTo(DataType.DOUBLE);
        hd.addi(Nd4j.diag(dead));
        double damp = dampening * Nd4j.diag(hd).meanNumber().doubleValue();
        hd.addi(Nd4j.eye(k).castTo(DataType.DOUBLE).muli(damp));
        INDArray inverseDiagonal = Nd4j.diag(hd).rdiv(1.0).reshape(1, k);

        INDArray x = w.mul(m);
        INDArray b = w.mmul(hd).muli(m);
        INDArray residual = b.sub(x.mmul(hd).muli(m));
        INDArray bNorms = Transforms.max(b.norm2(1), 1e-300);
        INDArray z = residual.mulRowVector(inverseDiagonal);
        INDArray p = z.dup('c');
        INDArray rz = residual.mul(z).sum(true, 1);
        int maxIterations = (int) Math.min(Integer.MAX_VALUE, 2 * k + 10);
        int iterations = 0;
        double relative = relativeResidual(residual, bNorms);
        while (relative > tolerance && iterations < maxIterations) {
            INDArray ap = p.mmul(hd).muli(m);
            INDArray alpha = rz.div(nonZero(p.mul(ap).sum(true, 1)));
            x.addi(p.mulColumnVector(alpha));
            residual.subi(ap.mulColumnVector(alpha));
            z = residual.mulRowVector(inverseDiagonal);
            INDArray rzNext = residual.mul(z).sum(true, 1);
            INDArray beta = rzNext.div(nonZero(rz));
            p = z.addi(p.mulColumnVector(beta));
            rz = rzNext;
            iterations++;
            relative = relativeResidual(residual, bNorms);
        }
        double scale = Math.max(w.mul(w.mmul(h)).sumNumber().doubleValue(), 1e-300);
        return new Solution(x, iterations, relative, outputError(w.mul(m), w, h) / scale, outputError(x, w, h) / scale);
    }

    private static double relativeResidual(INDArray residual, INDArray bNorms) {
        return residual.norm2(1).divi(bNorms).maxNumber().doubleValue();
    }

    /** Rows already solved have zero curvature along a zero direction; their step must be 0, not NaN. */
    private static INDArray nonZero(INDArray v) {
        return v.add(v.eq(0.0).castTo(DataType.DOUBLE));
    }

    /** {@code Σ_r (a − w)ᵀ H (a − w)}. */
    static double outputError(INDArray a, INDArray w, INDArray h) {
        INDArray d = a.sub(w);
        return d.mul(d.mmul(h)).sumNumber().doubleValue();
    }
}
