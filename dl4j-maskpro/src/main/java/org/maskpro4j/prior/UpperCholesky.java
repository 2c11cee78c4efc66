package org.maskpro4j.prior;

import org.nd4j.linalg.api.blas.BlasException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.MatrixInverse;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Upper Cholesky factors ({@code A = UᵀU}) of symmetric positive definite DOUBLE matrices, built on LAPACK
 * {@code potrf} and matrix products only.
 *
 * <p>Why not the obvious ND4J routines (1.0.0-M2.1, CPU): the {@code cholesky} custom op rejects valid SPD
 * matrices of size 512 ("should be positive-defined and symmetric"); {@code MatrixInverse}/{@code InvertMatrix}
 * take ~9 s at 512 and ~70 s at 1024; BLAS {@code trsm} is a silent no-op; {@code TriangularSolve} takes ~4 s at
 * 512; {@code Nd4j.triu} returns FLOAT and crashed the JVM on a DOUBLE input. {@code potrf} is fast and exact,
 * and a triangular inverse splits into matrix products.
 */
final class UpperCholesky {
    /**
     * Up to this size a triangular block is inverted by one {@code MatrixInverse} op (slow in its O(n³) loop at
     * large n, but one op instead of n row solves, whose per-op overhead dominates at this size); above it, the
     * matrix is split in halves.
     */
    private static final long LEAF_SIZE = 16;

    private UpperCholesky() {
    }

    /**
     * {@code U} upper triangular with {@code spd = UᵀU}.
     *
     * @param what names the matrix in the error message, e.g. "the damped Hessian of weight 'wq'"
     * @throws IllegalArgumentException when LAPACK finds the matrix not positive definite
     */
    static INDArray factor(INDArray spd, String what, String fix) {
        long n = spd.rows();
        INDArray c = spd.castTo(DataType.DOUBLE).dup('c');
        try {
            Nd4j.getBlasWrapper().lapack().potrf(c, false);
        } catch (BlasException e) {
            throw new IllegalArgumentException(what + " [" + n + "×" + n + "] is not positive definite (LAPACK potrf"
                    + " failed at column " + e.getErrorCode() + "): " + fix, e);
        }
        // M2.1 maps potrf's "upper" flag to the opposite LAPACK triangle and zeroes the triangle it did not
        // write; folding c + cᵀ onto the upper triangle (diagonal halved) yields U whichever triangle came back.
        return c.add(c.transpose()).muli(upperFoldWeights(n));
    }

    /** {@code V} upper triangular with {@code spd⁻¹ = VᵀV}, as SparseGPT's {@code cholesky(cholesky_inverse(...), upper)}. */
    static INDArray factorOfInverse(INDArray spd, String what, String fix) {
        INDArray uInverse = invertUpper(factor(spd, what, fix));
        INDArray inverse = uInverse.mmul(uInverse.transpose());
        return factor(inverse, "The inverse of " + what, fix);
    }

    /** The inverse of an upper triangular matrix (itself upper triangular). */
    static INDArray invertUpper(INDArray u) {
        long n = u.rows();
        if (n <= LEAF_SIZE) {
            // MatrixInverse refuses a matrix whose determinant is below a fixed threshold, which 16 diagonal entries
            // of 0.3 already are (a real LLaMA Hessian); D⁻¹U has unit diagonal, determinant 1, and U⁻¹ = (D⁻¹U)⁻¹·D⁻¹.
            INDArray diagonal = u.mul(Nd4j.eye(n).castTo(DataType.DOUBLE)).sum(1);
            INDArray unit = u.divColumnVector(diagonal.reshape(n, 1));
            return Nd4j.exec(new MatrixInverse(unit.dup('c')))[0].diviRowVector(diagonal.reshape(1, n));
        }
        // [[A, B], [0, D]]⁻¹ = [[A⁻¹, −A⁻¹·B·D⁻¹], [0, D⁻¹]]: all the work becomes matrix products
        long h = n / 2;
        INDArray aInv = invertUpper(u.get(NDArrayIndex.interval(0, h), NDArrayIndex.interval(0, h)).dup('c'));
        INDArray dInv = invertUpper(u.get(NDArrayIndex.interval(h, n), NDArrayIndex.interval(h, n)).dup('c'));
        INDArray b = u.get(NDArrayIndex.interval(0, h), NDArrayIndex.interval(h, n));
        INDArray inverse = Nd4j.zeros(DataType.DOUBLE, n, n);
        inverse.get(NDArrayIndex.interval(0, h), NDArrayIndex.interval(0, h)).assign(aInv);
        inverse.get(NDArrayIndex.interval(h, n), NDArrayIndex.interval(h, n)).assign(dInv);
        inverse.get(NDArrayIndex.interval(0, h), NDArrayIndex.interval(h, n)).assign(aInv.mmul(b).mmul(dInv).negi());
        return inverse;
    }

    /** 1 above the diagonal, ½ on it, 0 below: (sign(j − i) + 1) / 2. */
    private static INDArray upperFoldWeights(long n) {
        INDArray index = Nd4j.arange(0, n).castTo(DataType.DOUBLE);
        INDArray columnMinusRow = Nd4j.zeros(DataType.DOUBLE, n, n).addiRowVector(index).subiColumnVector(index);
        return Transforms.sign(columnMinusRow, false).addi(1.0).muli(0.5);
    }
}
