/**
 * Single-source shortest paths, Bellman–Ford style (Bellman 1958; the synchronous vertex-centric
 * form of Pregel, Malewicz et al., SIGMOD 2010, §5.2, and PowerGraph's `sssp` toolkit):
 *
 *   d(source) = 0, d(v) = ∞ otherwise
 *   repeat until no d changes:
 *     d'(v) = min(d(v), min_{u→v} d(u) + w(u, v))
 *
 * Out-edges are followed (each vertex gathers over its in-edges); on undirected graphs every
 * edge is followed both ways. Unreachable vertices keep ∞. With `weighted` the edge weights are
 * the lengths, which must be non-negative (a negative weight fails the job naming the option;
 * with negative weights "shortest" may not exist); without, every edge has length 1 and the
 * result is the hop count (BFS depth).
 *
 * Signal-driven: only the source runs in the first step; a vertex signals an out-neighbour only
 * when it offers that neighbour a shorter distance, so each step touches the current frontier
 * only. The fixpoint is the minimum over paths of each path's left-to-right floating-point sum,
 * whatever the order of relaxations, so every partitioning gives the same bits.
 *
 * Options (defaults): source (required: a vertex label), weighted true (use the weights of a
 * weighted graph; unweighted graphs give hop counts either way), maxIterations 2³¹ − 1 (a run
 * needs at most |V| steps).
 * Aggregate: `reached`, the number of vertices at a finite distance.
 *
 * Example: `gasworks run sssp --graph roads --source 42 --weighted false`.
 */
import { defineAlgorithm, defineProgram, InvalidArgumentError } from '../engine/index.js';

export default defineAlgorithm({
  name: 'sssp',
  gathers: 'in',
  description: 'Single-source shortest paths (--source LABEL; edge weights, or hop counts with --weighted false)',
  options: {
    source: { default: '', required: true, description: 'the vertex label distances are measured from', aliases: ['sourceNode'] },
    weighted: { default: true, description: 'use edge weights on a weighted graph (false: hop counts)' },
    maxIterations: { default: 2 ** 31 - 1, min: 1, integer: true, description: 'stop after this many steps (a run needs at most |V|)' },
  },
  topOrder: 'asc',
  prepare(options, graph) {
    return { source: graph.idOf(options.source, 'source'), weighted: options.weighted && graph.weighted };
  },
  create({ source, weighted }) {
    return defineProgram({
      name: 'sssp',
      vertexColumns: { distance: 'f64' },
      gatherEdges: 'in',
      scatterEdges: 'out',
      initiallyActive: 'signaled',
      asynchronous: true,
      result: 'distance',
      init(state, v, ctx) {
        const isSource = ctx.globalId(v) === source;
        state.distance[v] = isSource ? 0 : Infinity;
        if (isSource) ctx.signal(v);
      },
      // Checked here because only the engine sees the weights; every edge is visited once.
      initEdge: weighted
        ? (state, edge) => {
            const weight = state.weight[edge]!;
            if (!(weight >= 0)) {
              throw new InvalidArgumentError(
                `sssp: weighted: edge weights must be non-negative for shortest paths, found ${weight} (use --weighted false for hop counts)`,
                {
                  option: 'weighted',
                },
              );
            }
          }
        : undefined,
      gather: weighted
        ? (state, _self, neighbor, edge) => state.distance[neighbor]! + state.weight[edge]!
        : (state, _self, neighbor) => state.distance[neighbor]! + 1,
      zero: Infinity,
      sum: (a, b) => (a < b ? a : b),
      apply(state, v, total) {
        if (total < state.distance[v]!) state.distance[v] = total;
      },
      scatter: weighted
        ? (state, self, neighbor, edge, ctx) => {
            if (state.distance[self]! + state.weight[edge]! < state.distance[neighbor]!) ctx.signal(neighbor);
          }
        : (state, self, neighbor, _edge, ctx) => {
            if (state.distance[self]! + 1 < state.distance[neighbor]!) ctx.signal(neighbor);
          },
      aggregators: {
        reached: { map: (state, v) => (state.distance[v]! < Infinity ? 1 : 0), sum: (a, b) => a + b, zero: 0 },
      },
    });
  },
});
