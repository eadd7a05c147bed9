/**
 * The colouring behind phased flights (async-runner.ts, edge consistency on several workers): a
 * proper colouring of the *shared* vertices — those with replicas on more than one worker, whose
 * updates span workers — over the edges between them, so that flights of one colour never touch
 * each other's vertex and can run together with no distributed lock (GraphLab's chromatic engine,
 * Low et al., VLDB 2012, §4.2.1, applied to the shared vertices only; the others run where their
 * whole scope lies, under local locks).
 *
 * Every worker lists its edges whose two ends are shared (each edge lives on one worker, so the
 * lists are disjoint) and sends them to worker 0, which colours greedily — vertices by degree,
 * highest first, each the smallest colour none of its coloured neighbours has (Welsh & Powell,
 * 1967: at most one more colour than the largest degree) — and sends every worker the colours.
 * Deterministic: the order breaks ties by global id.
 */
import type { ExchangePlan } from './exchange-plan.js';
import type { LocalGraph } from './local-graph.js';

/** Whether each local vertex is shared: a master with mirrors, or a mirror. */
export function sharedVertices(plan: ExchangePlan): Uint8Array {
  const shared = new Uint8Array(plan.isMaster.length);
  for (let v = 0; v < shared.length; v++) if (plan.isMaster[v] === 0) shared[v] = 1;
  for (const masters of plan.mastersByMirror) for (const v of masters) shared[v] = 1;
  return shared;
}

/** `[gid a, gid b]` pairs, flat, of this worker's edges whose two ends are shared (self-loops left out). */
export function sharedEdgePairs(graph: LocalGraph, shared: Uint8Array): Float64Array {
  const pairs: number[] = [];
  const { gid, outOffsets, dst } = graph;
  for (let v = 0; v < graph.numVertices; v++) {
    if (shared[v] === 0) continue;
    for (let e = outOffsets[v]!, end = outOffsets[v + 1]!; e < end; e++) {
      const u = dst[e]!;
      if (u !== v && shared[u] === 1) pairs.push(gid[v]!, gid[u]!);
    }
  }
  return Float64Array.from(pairs);
}

/**
 * Greedy colouring of the graph the pairs (from every worker) make: `[gid, colour]` pairs, flat,
 * for every vertex named in a pair, and the number of colours used.
 */
export function colourSharedGraph(pairLists: readonly ArrayLike<number>[]): { colours: Float64Array; numColours: number } {
  const index = new Map<number, number>();
  const ids: number[] = [];
  const indexOf = (id: number): number => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      index.set(id, i);
      ids.push(id);
    }
    return i;
  };
  let edges = 0;
  for (const pairs of pairLists) edges += pairs.length / 2;
  const from = new Uint32Array(edges);
  const to = new Uint32Array(edges);
  let at = 0;
  for (const pairs of pairLists) {
    for (let i = 0; i < pairs.length; i += 2, at++) {
      from[at] = indexOf(pairs[i]!);
      to[at] = indexOf(pairs[i + 1]!);
    }
  }
  const n = ids.length;
  // Undirected adjacency in CSR form (each edge both ways; repeats are harmless).
  const offsets = new Uint32Array(n + 1);
  for (let e = 0; e < edges; e++) {
    offsets[from[e]! + 1]!++;
    offsets[to[e]! + 1]!++;
  }
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, n);
  const neighbours = new Uint32Array(2 * edges);
  for (let e = 0; e < edges; e++) {
    neighbours[fill[from[e]!]!++] = to[e]!;
    neighbours[fill[to[e]!]!++] = from[e]!;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => offsets[b + 1]! - offsets[b]! - (offsets[a + 1]! - offsets[a]!) || ids[a]! - ids[b]!);
  const colour = new Int32Array(n).fill(-1);
  // taken[c] === v + 1: colour c is used by a neighbour of v (no clearing between vertices).
  let taken = new Uint32Array(16);
  let numColours = 0;
  for (const v of order) {
    for (let k = offsets[v]!, end = offsets[v + 1]!; k < end; k++) {
      const c = colour[neighbours[k]!]!;
      if (c >= 0) taken[c] = v + 1;
    }
    let c = 0;
    while (c < taken.length && taken[c] === v + 1) c++;
    if (c >= taken.length) {
      const grown = new Uint32Array(taken.length * 2);
      grown.set(taken);
      taken = grown;
    }
    colour[v] = c;
    numColours = Math.max(numColours, c + 1);
  }
  const colours = new Float64Array(2 * n);
  for (let v = 0; v < n; v++) {
    colours[2 * v] = ids[v]!;
    colours[2 * v + 1] = colour[v]!;
  }
  return { colours, numColours };
}
