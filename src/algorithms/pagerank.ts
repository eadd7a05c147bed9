/**
 * PageRank (Page, Brin, Motwani & Winograd, 1999), normalised as NetworkX and igraph compute it:
 *
 *   r(v) = 1/N
 *   repeat until Σ_v |r'(v) − r(v)| < N·tolerance, or maxIterations:
 *     D     = Σ_{u: out(u) = 0} r(u)                               (dangling mass)
 *     r'(v) = (1 − d)/N + d·( Σ_{u→v} r(u)·w(u,v)/W(u) + D/N )
 *
 * with W(u) the total out-weight of u (its out-degree when unweighted), so ranks sum to 1.
 * `variant: 'graphlab'` is PowerGraph's unnormalised r'(v) = (1 − d) + d·Σ_{u→v} r(u)/out(u),
 * starting from 1, dangling mass dropped. On undirected graphs every edge counts both ways.
 *
 * Options (defaults): damping 0.85, tolerance 1e-6, maxIterations 100, weighted false (use edge
 * weights), variant 'normalized'.
 *
 * Example: `gasworks run pagerank --graph cnr --tolerance 1e-8`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';

export const PAGERANK_DEFAULTS = { damping: 0.85, tolerance: 1e-6, maxIterations: 100, weighted: false, variant: 'normalized' };

export default defineAlgorithm({
  name: 'pagerank',
  gathers: 'in',
  description: 'PageRank (NetworkX normalisation, or --variant graphlab)',
  defaults: PAGERANK_DEFAULTS,
  validate(options, check) {
    check.number('damping', options.damping, { min: 0, max: 1, maxExclusive: true });
    check.number('tolerance', options.tolerance, { min: 0, minExclusive: true });
    check.oneOf('variant', options.variant, ['normalized', 'graphlab']);
  },
  create({ damping, tolerance, weighted, variant }) {
    const normalized = variant === 'normalized';
    return defineProgram({
      name: 'pagerank',
      // `share` = r(u)/W(u), refreshed by u's apply so that each edge costs one load and one add.
      vertexColumns: { rank: 'f64', share: 'f64', delta: 'f64' },
      // Gathers read only the neighbour's share: rank and delta stay with the master.
      mirrorColumns: ['share'],
      gatherEdges: 'in',
      scatterEdges: 'none',
      alwaysActive: true,
      result: 'rank',
      init(state, v, ctx) {
        const rank = normalized ? 1 / ctx.numVertices : 1;
        state.rank[v] = rank;
        state.share[v] = shareOf(rank, weighted ? state.outWeight[v]! : state.outDegree[v]!);
      },
      gather: weighted ? (state, _self, neighbor, edge) => state.share[neighbor]! * state.weight[edge]! : (state, _self, neighbor) => state.share[neighbor]!,
      zero: 0,
      sum: (a, b) => a + b,
      apply(state, v, total, ctx) {
        const n = ctx.numVertices;
        const teleport = normalized ? (1 - damping) / n + (damping * ctx.aggregate('dangling')) / n : 1 - damping;
        const next = teleport + damping * total;
        state.delta[v] = Math.abs(next - state.rank[v]!);
        state.rank[v] = next;
        state.share[v] = shareOf(next, weighted ? state.outWeight[v]! : state.outDegree[v]!);
      },
      aggregators: {
        dangling: { map: (state, v) => (state.outDegree[v] === 0 ? state.rank[v]! : 0), sum: (a, b) => a + b, zero: 0 },
        change: { map: (state, v) => state.delta[v]!, sum: (a, b) => a + b, zero: 0 },
      },
      converged: (ctx) => ctx.iteration >= 0 && ctx.aggregate('change') < ctx.numVertices * tolerance,
    });
  },
});

function shareOf(rank: number, outWeight: number): number {
  return outWeight > 0 ? rank / outWeight : 0;
}
