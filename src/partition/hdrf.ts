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
 *
 * Throughput (bench/partition.ts, medians of 3 runs on a shared 2-core VM, stream order
 * included): 3.6–6.4 M edges/s at P = 4…32 on cnr-2000, soc-Slashdot0902, email-Enron and kron-20
 * (1.7–4.5 before the class walk below and the run shuffle of stream-order.ts); the slowest is
 * kron-20 at P = 32, where reading the endpoints' state dominates. Hashing strategies: 8–30.
 */
import { ReplicaSets } from './replica-sets.js';
import type { Partitioner, PartitionStrategy } from './types.js';

const EPSILON = 1;
/** The classes of partitions walked for a placement: holding both endpoints, u only, v only. */
const BOTH = 0;
const U_ONLY = 1;
const V_ONLY = 2;

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
 *
 * The argmax without scoring every partition: by which endpoints they hold, the partitions fall
 * into four classes (both, u only, v only, neither), each with one replication term, so a class's
 * best is its least loaded partition (lowest index among ties) — for "neither", and for the class
 * holding it, the least loaded partition overall, which `ReplicaSets` keeps. So that partition is
 * scored first, then each other class's least loaded partition, found by comparing loads, not
 * scores: at most |A(u) ∪ A(v)| load comparisons and four scores per edge. A class is skipped
 * when even the top balance term cannot lift it to the best score so far: with λ ≤ 1 the balance
 * term is below 1 and a replication term at least 1, so once "both" has a partition the other
 * classes are never walked (a hub replicated everywhere has only "both" and "u only"). On kron-20
 * with HDRF that is 0.4 (P = 4) to 3.9 (P = 32) loads compared per edge, where scoring A(u) ∪ A(v)
 * took 0.9 to 17.5 scores. Same argmax as scoring every partition, ties included (a test checks
 * it against that): a score is computed in one order (balance, then u's term, then v's;
 * `scoreOf`) so that within a class it cannot rise with the load, and winners are compared as
 * before, ties to the lowest index.
 */
export function greedyPartitioner(numPartitions: number, numVertices: number, lambda: number, degreeWeighted: boolean): Partitioner {
  const sets = new ReplicaSets(numVertices, numPartitions);
  if (sets.words === 1) return singleWordGreedy(sets, lambda, degreeWeighted);
  const { loads, records, bits, words, stride } = sets;
  // λ / (ε + max load − min load), recomputed only when the spread of the loads changes.
  let scaleSpread = -1;
  let scale = 0;
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
      const spread = maxLoad - sets.minLoad;
      if (spread !== scaleSpread) {
        scaleSpread = spread;
        scale = lambda / (EPSILON + spread);
      }
      const topBalance = spread * scale;
      let best = sets.minIndex;
      const minWord = 1 + (best >>> 5);
      const minBit = 1 << (best & 31);
      const uAtMin = (bits[ru + minWord]! & minBit) !== 0;
      const vAtMin = (bits[rv + minWord]! & minBit) !== 0;
      let bestScore = scoreOf(topBalance, uAtMin, vAtMin, gu, gv);
      for (let holders = BOTH; holders <= V_ONLY; holders++) {
        const holdsU = holders !== V_ONLY;
        const holdsV = holders !== U_ONLY;
        if ((holdsU === uAtMin && holdsV === vAtMin) || scoreOf(topBalance, holdsU, holdsV, gu, gv) < bestScore) continue;
        const p = leastLoadedOf(bits, ru, rv, words, holders, loads);
        if (p < 0) continue;
        const score = scoreOf((maxLoad - loads[p]!) * scale, holdsU, holdsV, gu, gv);
        if (score > bestScore || (score === bestScore && p < best)) {
          bestScore = score;
          best = p;
        }
      }
      return sets.place(u, v, best);
    },
  };
}

/**
 * The same placement for P ≤ 32, where each replica set is one word: the classes are three words
 * computed once (a & b, a & ~b, b & ~a), membership tests are bit tests on locals and the classes
 * are unrolled. A deliberate copy of the general loop above, kept in step with it (the test
 * against naive scoring covers both).
 */
function singleWordGreedy(sets: ReplicaSets, lambda: number, degreeWeighted: boolean): Partitioner {
  const { loads, records, bits } = sets;
  let scaleSpread = -1;
  let scale = 0;
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
      const a = bits[ru + 1]!;
      const b = bits[rv + 1]!;
      const maxLoad = sets.maxLoad;
      const spread = maxLoad - sets.minLoad;
      if (spread !== scaleSpread) {
        scaleSpread = spread;
        scale = lambda / (EPSILON + spread);
      }
      const topBalance = spread * scale;
      let best = sets.minIndex;
      const minBit = 1 << best;
      let bestScore = scoreOf(topBalance, (a & minBit) !== 0, (b & minBit) !== 0, gu, gv);
      // The classes in turn, unrolled; "both" needs no bound: it outscores the other classes' top.
      const both = a & b;
      if (both !== 0 && (both & minBit) === 0) {
        const p = leastLoaded(both, 0, loads, -1, Infinity);
        const score = scoreOf((maxLoad - loads[p]!) * scale, true, true, gu, gv);
        if (score > bestScore || (score === bestScore && p < best)) {
          bestScore = score;
          best = p;
        }
      }
      const uOnly = a & ~b;
      if (uOnly !== 0 && (uOnly & minBit) === 0 && scoreOf(topBalance, true, false, gu, gv) >= bestScore) {
        const p = leastLoaded(uOnly, 0, loads, -1, Infinity);
        const score = scoreOf((maxLoad - loads[p]!) * scale, true, false, gu, gv);
        if (score > bestScore || (score === bestScore && p < best)) {
          bestScore = score;
          best = p;
        }
      }
      const vOnly = b & ~a;
      if (vOnly !== 0 && (vOnly & minBit) === 0 && scoreOf(topBalance, false, true, gu, gv) >= bestScore) {
        const p = leastLoaded(vOnly, 0, loads, -1, Infinity);
        const score = scoreOf((maxLoad - loads[p]!) * scale, false, true, gu, gv);
        if (score > bestScore || (score === bestScore && p < best)) best = p;
      }
      return sets.place(u, v, best);
    },
  };
}

/**
 * C_BAL + C_REP, always added in this order: `scoreOf(top balance, …)` then bounds every score
 * of its class, since floating-point addition never decreases when an operand grows.
 */
function scoreOf(balance: number, holdsU: boolean, holdsV: boolean, gu: number, gv: number): number {
  return balance + (holdsU ? gu : 0) + (holdsV ? gv : 0);
}

/**
 * The least loaded partition of word `set` (partitions `first`…`first` + 31), lowest index among
 * ties, or `best` when all are more loaded than `bestLoad`. Walks the bits from the highest, so
 * `<=` keeps the lowest index; `1 << 31` and `set ^ bit` stay int32 (`set & -set` would not).
 */
function leastLoaded(set: number, first: number, loads: Float64Array, best: number, bestLoad: number): number {
  while (set !== 0) {
    const bit = 31 - Math.clz32(set);
    set ^= 1 << bit;
    const load = loads[first + bit]!;
    if (load <= bestLoad) {
      bestLoad = load;
      best = first + bit;
    }
  }
  return best;
}

/** `leastLoaded` over the words of a class of partitions for P > 32, or −1 when the class is empty. */
function leastLoadedOf(bits: Int32Array, ru: number, rv: number, words: number, holders: number, loads: Float64Array): number {
  let best = -1;
  for (let w = words; w >= 1; w--) {
    const a = bits[ru + w]!;
    const b = bits[rv + w]!;
    const set = holders === BOTH ? a & b : holders === U_ONLY ? a & ~b : b & ~a;
    if (set !== 0) best = leastLoaded(set, (w - 1) << 5, loads, best, best < 0 ? Infinity : loads[best]!);
  }
  return best;
}
