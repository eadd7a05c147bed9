/**
 * Greedy graph colouring: each vertex takes the smallest colour (0, 1, 2, …) that none of its
 * neighbours has. Run one vertex at a time, in any order, the result is a proper colouring (no
 * edge joins two vertices of one colour) with at most Δ + 1 colours, Δ the maximum degree —
 * Welsh & Powell's greedy bound (Computer Journal 10(1), 1967); the order decides how many
 * colours below that it needs. This is PowerGraph's `simple_coloring` toolkit program, and like
 * it, it is only right when adjacent vertices never update at the same time: run together, two
 * neighbours can both take the same smallest colour. So it runs on the asynchronous engine only
 * (`--engine async`, the default for it), where an update re-signals any neighbour it conflicts
 * with, and the run ends when no conflict is left to repair.
 *
 * Edge direction is ignored; self-loops are ignored. A vertex has no colour until it first runs,
 * so its neighbours choose around the colours already given, as the sequential greedy algorithm
 * does. The result column is `color`.
 * Aggregate: `colors`, the number of colours used (largest colour + 1).
 *
 * Example: `gasworks run coloring --graph slashdot --scheduler sweep`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

/** A vertex's colour before its first update (the largest u32). */
const UNCOLORED = 0xffffffff;

export default defineAlgorithm({
  name: 'coloring',
  description: 'Greedy graph colouring: the smallest colour no neighbour has (asynchronous engine)',
  options: {},
  topOrder: 'none',
  defaultEngine: 'async',
  create() {
    return defineProgram<{ color: 'u32' }, Record<never, never>, Float64Array>({
      name: 'coloring',
      vertexColumns: { color: 'u32' },
      gatherEdges: 'all',
      scatterEdges: 'all',
      // The neighbours' colours as a sorted multiset: the smallest free colour needs all of them.
      collect: true,
      asynchronous: 'only',
      initiallyActive: 'all',
      result: 'color',
      init(state, v) {
        state.color[v] = UNCOLORED;
      },
      // Self-loops and neighbours not coloured yet take no colour: both sort past every real one.
      gather: (state, self, neighbor) => (neighbor === self ? UNCOLORED : state.color[neighbor]!),
      apply(state, v, colors) {
        let free = 0;
        for (let i = 0; i < colors.length; i++) {
          const c = colors[i]!;
          if (c === free) free++;
          else if (c > free) break;
        }
        state.color[v] = free;
      },
      scatter(state, self, neighbor, _edge, ctx) {
        if (neighbor !== self && state.color[neighbor] === state.color[self]) ctx.signal(neighbor);
      },
      aggregators: {
        colors: { map: (state, v) => (state.color[v] === UNCOLORED ? 0 : state.color[v]! + 1), sum: (a, b) => Math.max(a, b), zero: 0 },
      },
    });
  },
});
