/**
 * Solving a small symmetric positive-definite system M·x = b in place, by Cholesky
 * factorisation M = L·Lᵀ (Golub & Van Loan, Matrix Computations, 4th ed., §4.2): d³/6
 * multiply-adds, no pivoting, no allocation. ALS solves one such system of order rank (+1) per
 * vertex per update.
 */

/**
 * Overwrites the lower triangle of `m` (d×d, row-major) with L and `b` with the solution.
 * Returns false if `m` is not positive definite (a non-positive pivot).
 */
export function choleskySolve(m: Float64Array, b: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    const rowJ = j * d;
    let diagonal = m[rowJ + j]!;
    for (let k = 0; k < j; k++) diagonal -= m[rowJ + k]! * m[rowJ + k]!;
    if (!(diagonal > 0)) return false;
    const pivot = Math.sqrt(diagonal);
    m[rowJ + j] = pivot;
    const inverse = 1 / pivot;
    for (let i = j + 1; i < d; i++) {
      const rowI = i * d;
      let sum = m[rowI + j]!;
      for (let k = 0; k < j; k++) sum -= m[rowI + k]! * m[rowJ + k]!;
      m[rowI + j] = sum * inverse;
    }
  }
  // L·y = b, then Lᵀ·x = y.
  for (let i = 0; i < d; i++) {
    const rowI = i * d;
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= m[rowI + k]! * b[k]!;
    b[i] = sum / m[rowI + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < d; k++) sum -= m[k * d + i]! * b[k]!;
    b[i] = sum / m[i * d + i]!;
  }
  return true;
}
