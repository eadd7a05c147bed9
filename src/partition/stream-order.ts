/**
 * The order in which order-sensitive (greedy) strategies see the edges: chunks of the stream in
 * a seeded random order, and within each chunk runs of `RUN_LENGTH` consecutive edges in a seeded
 * random order, each run kept in stream order. Files sorted by source (as SNAP's are) would
 * otherwise make HDRF and greedy pile whole neighbourhoods onto one partition (HDRF paper §5.3):
 * a run holds the edges of a few sources at most, too few to tip the balance, while consecutive
 * edges sharing a source read that source's state from cache. Shuffling per chunk rather than
 * over the whole stream keeps the edge arrays' reads within one chunk at a time and needs no
 * global index. `partition-report` and `import` use the same order, so the report predicts the
 * import.
 */
import { BLOCK_SIZE } from '../storage/columns.js';

/**
 * Consecutive edges kept together. Measured with HDRF and oblivious (λ = 1) against single-edge
 * shuffling on the SNAP files as they are (sorted by source), P = 4…32: edge balance ≤ 1.003
 * either way; replication 5–11% lower on cnr-2000, 1.5–11% on facebook_combined, 0.4–2.4% on
 * email-Enron and p2p-Gnutella31, and 0.7–1.5% higher on soc-Slashdot0902, up to 2.5% on
 * wiki-Vote (means of seeds 1–5). Runs of 32 lowered cnr-2000 another 4–5% but raised wiki-Vote
 * up to 4%; throughput differences between runs of 8, 16 and 32 were below the noise.
 */
export const RUN_LENGTH = 8;

/**
 * The chunks in shuffled order, each with the shuffled order of its edges (a view reused from
 * chunk to chunk). Callers loop over `order` themselves: a per-edge callback shared by two
 * callers measured ≈ 125 ns per edge on a scale-20 Kronecker graph.
 */
export function* shuffledChunks(
  chunkCount: number,
  lengthOf: (chunk: number) => number,
  seed: number,
  runLength = RUN_LENGTH,
): Generator<{ chunk: number; order: Uint32Array }> {
  const random = new Xorshift32(seed);
  const chunks = new Uint32Array(chunkCount);
  random.permute(chunks);
  const within = new Uint32Array(BLOCK_SIZE);
  const runs = new Uint32Array(Math.ceil(BLOCK_SIZE / runLength));
  for (let c = 0; c < chunkCount; c++) {
    const chunk = chunks[c]!;
    const length = lengthOf(chunk);
    const order = length <= within.length ? within.subarray(0, length) : new Uint32Array(length);
    const runCount = Math.ceil(length / runLength);
    const runOrder = runCount <= runs.length ? runs.subarray(0, runCount) : new Uint32Array(runCount);
    random.permute(runOrder);
    let at = 0;
    for (let r = 0; r < runCount; r++) {
      const start = runOrder[r]! * runLength;
      const end = Math.min(start + runLength, length);
      for (let i = start; i < end; i++) order[at++] = i;
    }
    yield { chunk, order };
  }
}

/**
 * Marsaglia's xorshift32 (J. Stat. Softw. 8(14), 2003), state kept as an int32 so that V8 never
 * boxes it; ranges by multiplication, not `%` (a floating-point remainder per edge measured
 * ≈ 40 ns, most of the old shuffle's cost).
 */
class Xorshift32 {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) | 0 || 1;
  }

  /** In 0..n−1, uniform up to a bias below n / 2³². */
  below(n: number): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return Math.floor((x >>> 0) * (n / 4294967296));
  }

  /** Fisher–Yates: `order` becomes a random permutation of 0..length−1. */
  permute(order: Uint32Array): void {
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
  }
}
