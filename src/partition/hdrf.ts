/**
 * `hdrf`, High-Degree (are) Replicated First (Petroni, Querzoni, Daudjee, Kamali & Iacoboni,
 * CIKM 2015): a streaming greedy vertex-cut that, of an edge's two endpoints, prefers to
 * replicate the one of higher *partial* degree (seen so far). Edge (u, v) goes to the partition p
 * maximising
 *
 *   C_REP(p) + C_BAL(p),  C_REP(p) = g(u, p) + g(v, p),  g(x, p) = [p ∈ A(x)]·(1 + (1 − θ(x))),
 *   θ(u) = δ(u) / (δ(u) + δ(v)),  C_BAL(p) = λ·(max load − load(p)) / (ε + max load − min load)
 *
 * with A(x) the partitions holding x, δ partial degrees, ε = 1, ties to the lowest index. λ
 * (`--lambda`, default 1) weighs balance: with λ ≤ 1 and a stream ordered by source (as SNAP
 * files are), the replication term wins and whole stretches of the stream pile onto one
 * partition — the degeneration the paper warns about (§5.3); λ > 1 restores balance.
 *
 * HDRF's replication factor on twitter-2010 at 133 partitions is 4.8 (greedy 5.9, DBH 6.8;
 * ibid. Fig. 2). No worst-case bound below P. Streaming, one pass, deterministic.
 */
import { ReplicaSets } from './replica-sets.js';
import type { Partitioner, PartitionStrategy } from './types.js';

const EPSILON = 1;

export const hdrfStrategy: PartitionStrategy = {
  name: 'hdrf',
  description: 'streaming greedy, replicating high-degree vertices first (--lambda, default 1)',
  // The balance term can send two copies of an edge to different partitions.
  colocatesDuplicates: false,
  orderSensitive: true,
  create: ({ numPartitions, numVertices, lambda }) => greedyPartitioner(numPartitions, numVertices, lambda, true),
};

/**
 * The scoring greedy placement shared by HDRF and `oblivious`: replication term (degree-weighted
 * for HDRF, 1 per endpoint present for plain greedy) plus λ times the balance term.
 */
export function greedyPartitioner(numPartitions: number, numVertices: number, lambda: number, degreeWeighted: boolean): Partitioner {
  const sets = new ReplicaSets(numVertices, numPartitions);
  const { loads, records, words, stride } = sets;
  // Only partitions holding u or v score a replication term; of the others the least loaded
  // (lowest index) scores best: those candidates decide, at O(|A(u)| + |A(v)|) per edge. The
  // bit sets are walked inline (no callback): measured 2× faster than a visitor function.
  // When an endpoint is already replicated everywhere (a hub, on power-law graphs most edges
  // have one), its term is the same for every partition, so only the other endpoint's
  // partitions and the least loaded one can win: the walk skips the hub's set.
  const lastMask = numPartitions % 32 === 0 ? 0xffffffff : (1 << (numPartitions % 32)) - 1;
  const everywhere = (record: number): boolean => {
    for (let w = 0; w < words; w++) if (records[record + 1 + w]! >>> 0 !== (w === words - 1 ? lastMask >>> 0 : 0xffffffff)) return false;
    return true;
  };
  if (words === 1) return singleWordGreedy(sets, lambda, degreeWeighted, lastMask);
  return {
    assign(u, v) {
      const ru = u * stride;
      const rv = v * stride;
      let gu = 1;
      let gv = 1;
      if (degreeWeighted) {
        const du = ++records[ru]!;
        const dv = ++records[rv]!;
        const thetaU = du / (du + dv);
        gu = 2 - thetaU;
        gv = 1 + thetaU;
      }
      const maxLoad = sets.maxLoad;
      const scale = lambda / (EPSILON + maxLoad - sets.minLoad);
      const uEverywhere = everywhere(ru);
      const vEverywhere = everywhere(rv);
      let best = sets.minIndex;
      let bestScore = (maxLoad - loads[best]!) * scale + (sets.has(u, best) ? gu : 0) + (sets.has(v, best) ? gv : 0);
      for (let w = 0; w < words; w++) {
        const a = records[ru + 1 + w]!;
        const b = records[rv + 1 + w]!;
        let set = uEverywhere ? (vEverywhere ? 0 : b) : vEverywhere ? a : a | b;
        while (set !== 0) {
          const low = set & -set;
          set ^= low;
          const p = (w << 5) + 31 - Math.clz32(low);
          const score = (maxLoad - loads[p]!) * scale + ((a & low) !== 0 ? gu : 0) + ((b & low) !== 0 ? gv : 0);
          if (score > bestScore || (score === bestScore && p < best)) {
            bestScore = score;
            best = p;
          }
        }
      }
      return sets.place(u, v, best);
    },
  };
}

/**
 * The same placement for P ≤ 32, where each replica set is one word: membership tests are bit
 * tests on two locals and "replicated everywhere" one comparison. A deliberate copy of the
 * general loop above, kept in step with it: measured 2.7–2.9 against 1.9–2.4 M edges/s for HDRF
 * on kron-20 at P = 16, same run, same placements.
 */
function singleWordGreedy(sets: ReplicaSets, lambda: number, degreeWeighted: boolean, full: number): Partitioner {
  const { loads, records } = sets;
  return {
    assign(u, v) {
      const ru = u * 2;
      const rv = v * 2;
      let gu = 1;
      let gv = 1;
      if (degreeWeighted) {
        const du = ++records[ru]!;
        const dv = ++records[rv]!;
        const thetaU = du / (du + dv);
        gu = 2 - thetaU;
        gv = 1 + thetaU;
      }
      const a = records[ru + 1]!;
      const b = records[rv + 1]!;
      const maxLoad = sets.maxLoad;
      const scale = lambda / (EPSILON + maxLoad - sets.minLoad);
      let best = sets.minIndex;
      const minBit = 1 << best;
      let bestScore = (maxLoad - loads[best]!) * scale + ((a & minBit) !== 0 ? gu : 0) + ((b & minBit) !== 0 ? gv : 0);
      const aFull = a === full;
      const bFull = b === full;
      let set = aFull ? (bFull ? 0 : b) : bFull ? a : a | b;
      while (set !== 0) {
        const low = set & -set;
        set ^= low;
        const p = 31 - Math.clz32(low);
        const score = (maxLoad - loads[p]!) * scale + ((a & low) !== 0 ? gu : 0) + ((b & low) !== 0 ? gv : 0);
        if (score > bestScore || (score === bestScore && p < best)) {
          bestScore = score;
          best = p;
        }
      }
      return sets.place(u, v, best);
    },
  };
}
