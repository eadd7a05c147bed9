/**
 * Solving a small symmetric positive-definite system M·x = b by Cholesky factorisation
 * M = L·Lᵀ, then L·y = b and Lᵀ·x = y (Golub & Van Loan, Matrix Computations, 4th ed., §4.2):
 * d³/6 multiply-adds, no pivoting, no allocation. ALS solves one such system of order rank (+1)
 * per vertex per update. Generated per order: at rank 20 the whole ml-latest-small run took
 * 2.4 s against 3.2 s with the same algorithm as loops over a d×d array (bench/als.ts).
 */

/**
 * The factorisation and solve, generated for one order d and fed straight from a packed
 * upper triangle: `t[0 … d(d+1)/2)` holds M's upper triangle row by row, `t[d(d+1)/2 …]` the
 * right-hand side; `extra` (same packing, or null) is added to M and `ridge` to its diagonal; the
 * solution goes to `x`. Every entry of L is a local and every index a constant: no loop
 * counters, no index arithmetic, no bounds to re-check. Returns false if M is not positive definite.
 */
export type PackedSolve = (t: Float64Array, extra: Float64Array | null, ridge: number, x: Float64Array) => boolean;

export function compilePackedCholeskySolve(d: number): PackedSolve {
  // Straight-line code grows as d³/6 terms: beyond this order, loops over a scratch matrix.
  if (d > UNROLLED_MAX_ORDER) return loopedPackedSolve(d);
  const packed = (d * (d + 1)) / 2;
  const index = (row: number, column: number): number => row * d - (row * (row - 1)) / 2 + (column - row); // row ≤ column
  const lines: string[] = [];
  const m = (a: number, b: number): string => {
    const p = index(Math.min(a, b), Math.max(a, b));
    return `(t[${p}] + (extra === null ? 0 : extra[${p}])${a === b ? ' + ridge' : ''})`;
  };
  for (let j = 0; j < d; j++) {
    const squares = Array.from({ length: j }, (_, k) => ` - l${j}_${k} * l${j}_${k}`).join('');
    lines.push(`const s${j} = ${m(j, j)}${squares};`, `if (!(s${j} > 0)) return false;`, `const l${j}_${j} = Math.sqrt(s${j});`);
    for (let i = j + 1; i < d; i++) {
      const products = Array.from({ length: j }, (_, k) => ` - l${i}_${k} * l${j}_${k}`).join('');
      lines.push(`const l${i}_${j} = (${m(i, j)}${products}) / l${j}_${j};`);
    }
  }
  for (let i = 0; i < d; i++) {
    const products = Array.from({ length: i }, (_, k) => ` - l${i}_${k} * y${k}`).join('');
    lines.push(`const y${i} = (t[${packed + i}]${products}) / l${i}_${i};`);
  }
  for (let i = d - 1; i >= 0; i--) {
    const products = Array.from({ length: d - 1 - i }, (_, n) => ` - l${i + 1 + n}_${i} * x${i + 1 + n}`).join('');
    lines.push(`const x${i} = (y${i}${products}) / l${i}_${i};`, `x[${i}] = x${i};`);
  }
  lines.push('return true;');
  return new Function('t', 'extra', 'ridge', 'x', lines.join('\n')) as PackedSolve;
}

/** Largest order solved by generated straight-line code (d = 33: ≈ 6,000 terms). */
const UNROLLED_MAX_ORDER = 33;

/** The same solve with loops over a d×d scratch matrix (any order). */
function loopedPackedSolve(d: number): PackedSolve {
  const packed = (d * (d + 1)) / 2;
  const m = new Float64Array(d * d);
  return (t, extra, ridge, x) => {
    for (let a = 0, at = 0; a < d; a++) {
      for (let b = a; b < d; b++, at++) {
        const value = t[at]! + (extra === null ? 0 : extra[at]!) + (a === b ? ridge : 0);
        m[a * d + b] = value;
        m[b * d + a] = value;
      }
    }
    for (let j = 0; j < d; j++) {
      const rowJ = j * d;
      let diagonal = m[rowJ + j]!;
      for (let k = 0; k < j; k++) diagonal -= m[rowJ + k]! * m[rowJ + k]!;
      if (!(diagonal > 0)) return false;
      const pivot = Math.sqrt(diagonal);
      m[rowJ + j] = pivot;
      for (let i = j + 1; i < d; i++) {
        const rowI = i * d;
        let sum = m[rowI + j]!;
        for (let k = 0; k < j; k++) sum -= m[rowI + k]! * m[rowJ + k]!;
        m[rowI + j] = sum / pivot;
      }
    }
    for (let i = 0; i < d; i++) {
      let sum = t[packed + i]!;
      for (let k = 0; k < i; k++) sum -= m[i * d + k]! * x[k]!;
      x[i] = sum / m[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let sum = x[i]!;
      for (let k = i + 1; k < d; k++) sum -= m[k * d + i]! * x[k]!;
      x[i] = sum / m[i * d + i]!;
    }
    return true;
  };
}
