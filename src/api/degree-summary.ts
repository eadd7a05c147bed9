/** Summary statistics of a degree sequence (min, max, mean, median, and how many are zero). */

export interface DegreeSummary {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  readonly zero: number;
}

export function summarizeDegrees(degrees: ArrayLike<number>): DegreeSummary {
  const n = degrees.length;
  if (n === 0) return { min: 0, max: 0, mean: 0, median: 0, zero: 0 };
  let min = Infinity;
  let max = 0;
  let sum = 0;
  let zero = 0;
  for (let i = 0; i < n; i++) {
    const d = degrees[i]!;
    if (d < min) min = d;
    if (d > max) max = d;
    if (d === 0) zero++;
    sum += d;
  }
  const sorted = Float64Array.from(degrees).sort();
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { min, max, mean: sum / n, median, zero };
}

/** Total degree (out + in) of each vertex, as used for undirected graphs. */
export function totalDegrees(outDegree: Uint32Array, inDegree: Uint32Array): Uint32Array {
  const total = new Uint32Array(outDegree.length);
  for (let v = 0; v < total.length; v++) total[v] = outDegree[v]! + inDegree[v]!;
  return total;
}
