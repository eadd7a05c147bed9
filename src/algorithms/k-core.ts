/**
 * Core numbers (k-core decomposition): core(v) is the largest k such that v belongs to the
 * k-core, the maximal subgraph in which every vertex has degree ≥ k (Seidman 1983; Batagelj &
 * Zaveršnik, "An O(m) Algorithm for Cores Decomposition of Networks", 2003). Computed by
 * synchronous peeling, one superstep per round, with a level k that only ever grows:
 *
 *   k = 0; every vertex is in the graph
 *   repeat until the graph is empty:
 *     deg(v) = number of edges between v and another vertex still in the graph
 *     if the previous round removed nothing: k = min deg(v) over the vertices still in the graph
 *     remove every v with deg(v) ≤ k, setting core(v) = k
 *
 * Removing all of them at once is sound: each has degree ≤ k inside a subgraph that contains
 * the (k+1)-core, so none is in it, and each is in the k-core because every vertex left when
 * the level became k had degree ≥ k. Jumping k to the minimum degree skips levels that would
 * remove nothing (Batagelj & Zaveršnik's bucket order gives the same jump).
 *
 * Which edges count: direction is ignored, self-loops are ignored (NetworkX's `core_number`
 * rejects them; this is its result once they are removed), and every stored edge counts once,
 * so p parallel edges between u and v add p to each degree: the core numbers of the multigraph.
 * On a directed graph u→v and v→u are two edges, as in `core_number` on a NetworkX DiGraph
 * (degree = in + out). Import with `--dedupe` for the core numbers of the simple graph.
 *
 * Result: the core number (an integer), or −1 for a vertex still in the graph when
 * `maxIterations` ended the run. A path of n vertices needs about n/2 rounds.
 *
 * Options (defaults): maxIterations 10000.
 *
 * Example: `gasworks run k-core --graph cnr --top 20`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

/** `core` of a vertex still in the graph. */
const REMAINING = -1;

export default defineAlgorithm({
  name: 'k-core',
  description: 'Core number of every vertex (k-core decomposition by peeling)',
  options: {
    maxIterations: { default: 10_000, min: 1, integer: true, description: 'stop after this many peeling steps' },
  },
  topOrder: 'desc',
  create() {
    return defineProgram({
      name: 'k-core',
      // `level` is each vertex's copy of k: every remaining vertex advances it from the same
      // aggregates, so all copies agree without a broadcast. `peeled` marks this round's removals.
      vertexColumns: { core: 'i32', level: 'i32', degree: 'i32', peeled: 'u8' },
      gatherEdges: 'all',
      scatterEdges: 'none',
      alwaysActive: true,
      result: 'core',
      init(state, v) {
        state.core[v] = REMAINING;
        state.level[v] = 0;
        state.degree[v] = 0;
        state.peeled[v] = 0;
      },
      gather: (state, self, neighbor) => (neighbor !== self && state.core[self] === REMAINING && state.core[neighbor] === REMAINING ? 1 : 0),
      zero: 0,
      sum: (a, b) => a + b,
      apply(state, v, total, ctx) {
        state.peeled[v] = 0;
        if (state.core[v] !== REMAINING) return;
        if (ctx.iteration > 0 && ctx.aggregate('removed') === 0) state.level[v] = ctx.aggregate('minDegree');
        state.degree[v] = total;
        if (total <= state.level[v]!) {
          state.core[v] = state.level[v]!;
          state.peeled[v] = 1;
        }
      },
      aggregators: {
        removed: { map: (state, v) => state.peeled[v]!, sum: (a, b) => a + b, zero: 0 },
        remaining: { map: (state, v) => (state.core[v] === REMAINING ? 1 : 0), sum: (a, b) => a + b, zero: 0 },
        minDegree: {
          map: (state, v) => (state.core[v] === REMAINING ? state.degree[v]! : Infinity),
          sum: Math.min,
          zero: Infinity,
          // Reported in job summaries, and JSON has no Infinity: an empty graph's minimum is 0.
          finalize: (value) => (value === Infinity ? 0 : value),
        },
      },
      converged: (ctx) => ctx.aggregate('remaining') === 0,
    });
  },
});
