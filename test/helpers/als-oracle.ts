/**
 * A plain sequential ALS over global vertex ids, the oracle for the ALS vertex program: the same
 * model (μ + b_u + b_i + x_uᵀy_i), the same initial factors (unitHash), the same update order
 * (all users, then all items), each solve written out directly from the ratings with a dense
 * Gaussian elimination — no accumulators, no packing, no partitions.
 */
import { unitHash } from '../../src/algorithms/support/unit-hash.js';

export interface OracleRatings {
  readonly numVertices: number;
  readonly user: readonly number[];
  readonly item: readonly number[];
  readonly rating: readonly number[];
}

export interface OracleOptions {
  readonly rank: number;
  readonly regParam: number;
  readonly iterations: number;
  readonly seed: number;
  readonly biases: boolean;
  readonly implicit?: boolean;
  readonly alpha?: number;
}

/** Factors after `iterations` (k factors then the bias per vertex), and the global mean used. */
export function alsOracle(data: OracleRatings, options: OracleOptions): { factors: Float64Array; mean: number } {
  const { rank: k, regParam, seed, biases } = options;
  const implicit = options.implicit ?? false;
  const alpha = options.alpha ?? 1;
  const width = k + 1;
  const d = k + (biases ? 1 : 0);
  const mean = implicit ? 0 : data.rating.reduce((a, b) => a + b, 0) / data.rating.length;
  const factors = new Float64Array(data.numVertices * width);
  for (let v = 0; v < data.numVertices; v++) for (let j = 0; j < k; j++) factors[v * width + j] = unitHash(seed, v, j) / Math.sqrt(k);
  const byVertex = new Map<number, { other: number; rating: number }[]>();
  data.user.forEach((u, r) => {
    const entry = { rating: data.rating[r]! };
    (byVertex.get(u) ?? byVertex.set(u, []).get(u)!).push({ other: data.item[r]!, ...entry });
    (byVertex.get(data.item[r]!) ?? byVertex.set(data.item[r]!, []).get(data.item[r]!)!).push({ other: u, ...entry });
  });
  const users = [...new Set(data.user)];
  const items = [...new Set(data.item)];
  const feature = (v: number): number[] => [...Array.from(factors.subarray(v * width, v * width + k)), ...(biases ? [1] : [])];
  const solveSide = (side: number[], fixed: number[]): void => {
    const gram = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    if (implicit) for (const f of fixed) feature(f).forEach((za, a, z) => z.forEach((zb, b) => (gram[a]![b]! += za * zb)));
    const next = side.map((v) => {
      const ratings = byVertex.get(v)!;
      const m = gram.map((row) => [...row]);
      const rhs = new Array<number>(d).fill(0);
      for (const { other, rating } of ratings) {
        const z = feature(other);
        const weight = implicit ? alpha * rating : 1;
        const target = implicit ? 1 + alpha * rating : rating - mean - (biases ? factors[other * width + k]! : 0);
        for (let a = 0; a < d; a++) {
          rhs[a]! += target * z[a]!;
          for (let b = 0; b < d; b++) m[a]![b]! += weight * z[a]! * z[b]!;
        }
      }
      for (let a = 0; a < d; a++) m[a]![a]! += implicit ? regParam : regParam * ratings.length;
      return gaussianSolve(m, rhs);
    });
    side.forEach((v, s) => {
      for (let j = 0; j < k; j++) factors[v * width + j] = next[s]![j]!;
      factors[v * width + k] = biases ? next[s]![k]! : 0;
    });
  };
  for (let t = 0; t < options.iterations; t++) {
    solveSide(users, items);
    solveSide(items, users);
  }
  return { factors, mean };
}

/** Gaussian elimination with partial pivoting (the oracle's deliberately different solver). */
function gaussianSolve(m: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    [b[c], b[pivot]] = [b[pivot]!, b[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j < n; j++) m[r]![j]! -= f * m[c]![j]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = b[r]!;
    for (let j = r + 1; j < n; j++) sum -= m[r]![j]! * x[j]!;
    x[r] = sum / m[r]![r]!;
  }
  return x;
}
