/**
 * Weakly connected components by minimum-label propagation (the "HashMin" algorithm; GraphX's
 * `ConnectedComponents`, PowerGraph's `connected_component` toolkit). Edge direction is ignored:
 *
 *   c(v) = v                                   (the vertex's global id)
 *   repeat until no c changes:
 *     c'(v) = min(c(v), min_{u adjacent to v} c(u))
 *
 * At the fixpoint every vertex holds the smallest global id of its component; the run needs as
 * many steps as the largest component's diameter (plus one), which is why `maxIterations`
 * defaults to "unbounded" (2³¹ − 1, as GraphX's `Int.MaxValue`).
 *
 * Signal-driven: every vertex gathers in the first step; afterwards a vertex runs only when a
 * neighbour signalled it, and a vertex signals a neighbour only when its own label is smaller
 * than the neighbour's (the neighbour's label is current on every replica during scatter), so a
 * converged region costs nothing. Labels are exact integers, so every partitioning and worker
 * count gives identical results.
 *
 * Options (defaults): maxIterations 2³¹ − 1.
 * Aggregate: `components`, the number of masters whose label is their own id — exactly one per
 * component (its smallest vertex).
 *
 * Example: `gasworks run connected-components --graph roads --top 0`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

export default defineAlgorithm({
  name: 'connected-components',
  description: 'Weakly connected components: each vertex gets the smallest vertex id of its component',
  options: {
    maxIterations: { default: 2 ** 31 - 1, min: 1, integer: true, description: 'stop after this many steps (labels settle within the largest diameter)' },
  },
  topOrder: 'none',
  create() {
    return defineProgram({
      name: 'connected-components',
      // u32 holds every global id exactly (ids are below 2³²).
      vertexColumns: { component: 'u32' },
      gatherEdges: 'all',
      scatterEdges: 'all',
      initiallyActive: 'all',
      asynchronous: true,
      result: 'component',
      init(state, v, ctx) {
        state.component[v] = ctx.globalId(v);
      },
      gather: (state, _self, neighbor) => state.component[neighbor]!,
      zero: Infinity,
      sum: (a, b) => (a < b ? a : b),
      apply(state, v, total) {
        if (total < state.component[v]!) state.component[v] = total;
      },
      scatter(state, self, neighbor, _edge, ctx) {
        if (state.component[self]! < state.component[neighbor]!) ctx.signal(neighbor);
      },
      aggregators: {
        components: { map: (state, v, ctx) => (state.component[v] === ctx.globalId(v) ? 1 : 0), sum: (a, b) => a + b, zero: 0 },
      },
    });
  },
});
