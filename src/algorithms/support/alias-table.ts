/**
 * Walker's alias method (Walker, ACM TOMS 1977; Vose's linear-time construction, IEEE TSE 1991):
 * after an O(K) build, a draw from K weighted outcomes costs O(1) — one uniform picks a bucket,
 * its fraction decides between the bucket's own outcome and its alias.
 *
 * Tables are rows of shared typed arrays (`prob`, `alias` at `row … row + K`), so a program can
 * keep one per vertex without allocating; `small` and `large` are the builder's scratch
 * (Int32Array of length ≥ K each).
 */

/** Builds the table for `weights[from … from + K)` (non-negative, positive sum) into row `row`. */
export function buildAliasTable(
  weights: Float64Array,
  from: number,
  K: number,
  sum: number,
  prob: Float32Array,
  alias: Uint16Array,
  row: number,
  small: Int32Array,
  large: Int32Array,
  scaled: Float64Array,
): void {
  const scale = K / sum;
  let smalls = 0;
  let larges = 0;
  for (let k = 0; k < K; k++) {
    const p = weights[from + k]! * scale;
    scaled[k] = p;
    if (p < 1) small[smalls++] = k;
    else large[larges++] = k;
  }
  while (smalls > 0 && larges > 0) {
    const s = small[--smalls]!;
    const l = large[larges - 1]!;
    prob[row + s] = scaled[s]!;
    alias[row + s] = l;
    // The large outcome gives the small bucket what it lacks, and may become small itself.
    const left = scaled[l]! + scaled[s]! - 1;
    scaled[l] = left;
    if (left < 1) {
      larges--;
      small[smalls++] = l;
    }
  }
  // Whatever remains is 1 up to rounding.
  while (larges > 0) {
    const l = large[--larges]!;
    prob[row + l] = 1;
    alias[row + l] = l;
  }
  while (smalls > 0) {
    const s = small[--smalls]!;
    prob[row + s] = 1;
    alias[row + s] = s;
  }
}

/** One draw from the table in row `row` with K outcomes, given a uniform u in [0, 1). */
export function drawAlias(prob: Float32Array, alias: Uint16Array, row: number, K: number, u: number): number {
  const x = u * K;
  const bucket = x | 0;
  return x - bucket < prob[row + bucket]! ? bucket : alias[row + bucket]!;
}
