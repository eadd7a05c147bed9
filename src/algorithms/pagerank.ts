/**
 * PageRank (Page, Brin, Motwani & Winograd, 1999), normalised as NetworkX and igraph compute it:
 *
 *   r(v) = 1/N
 *   repeat until Σ_v |r'(v) − r(v)| < tolerance, or maxIterations:
 *     D     = Σ_{u: out(u) = 0} r(u)                               (dangling mass)
 *     r'(v) = (1 − d)/N + d·( Σ_{u→v} r(u)·w(u,v)/W(u) + D/N )
 *
 * with W(u) the total out-weight of u (its out-degree when unweighted), so ranks sum to 1.
 * `variant: 'graphlab'` is PowerGraph's unnormalised r'(v) = (1 − d) + d·Σ_{u→v} r(u)/out(u),
 * starting from 1, dangling mass dropped. On undirected graphs every edge counts both ways.
 *
 * The stopping rule is an L1 change not scaled by N (NetworkX's Σ|Δ| < N·tolerance is
 * `stopRule: 'networkx'`; see support/rank-stop-rule.ts); the summary lists every step's residual.
 *
 * Options (defaults): damping 0.85, tolerance 1e-6 (0: exactly maxIterations steps), stopRule
 * 'l1', maxIterations 100, weighted false (use edge weights), variant 'normalized'.
 *
 * Example: `gasworks run pagerank --graph cnr --tolerance 1e-8`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';
import { RANK_STOP_OPTIONS, residualBound, summarizeResiduals } from './support/rank-stop-rule.js';

/** Damping as users name it elsewhere: Neo4j GDS's dampingFactor, NetworkX's alpha. */
export const DAMPING_OPTION = {
  default: 0.85,
  min: 0,
  max: 1,
  maxExclusive: true,
  description: 'probability of following a link rather than teleporting',
  aliases: ['dampingFactor', 'alpha'],
};

export const PAGERANK_OPTIONS = {
  damping: DAMPING_OPTION,
  ...RANK_STOP_OPTIONS,
  weighted: { default: false, description: "split each vertex's rank by edge weight (the graph must be weighted)" },
  variant: {
    default: 'normalized',
    oneOf: ['normalized', 'graphlab'],
    description: "normalized: ranks sum to 1 (NetworkX, igraph); graphlab: PowerGraph's (1 − d) + d·Σ, from 1, no dangling mass",
  },
};

export default defineAlgorithm({
  name: 'pagerank',
  gathers: 'in',
  description: 'PageRank (NetworkX normalisation, or --variant graphlab)',
  options: PAGERANK_OPTIONS,
  summarize: ({ stopRule, tolerance }, run) => summarizeResiduals(run, stopRule, tolerance),
  create({ damping, tolerance, stopRule, weighted, variant }) {
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
        // The residual's share, on the scale where ranks sum to 1 (graphlab ranks sum to about N).
        state.delta[v] = normalized ? Math.abs(next - state.rank[v]!) : Math.abs(next - state.rank[v]!) / n;
        state.rank[v] = next;
        state.share[v] = shareOf(next, weighted ? state.outWeight[v]! : state.outDegree[v]!);
      },
      aggregators: {
        dangling: { map: (state, v) => (state.outDegree[v] === 0 ? state.rank[v]! : 0), sum: (a, b) => a + b, zero: 0 },
        change: { map: (state, v) => state.delta[v]!, sum: (a, b) => a + b, zero: 0 },
      },
      // No test at tolerance 0: the run takes exactly maxIterations steps and says so.
      ...(tolerance > 0 && {
        converged: (ctx) =>
          ctx.iteration >= 0 && ctx.aggregate('change') < residualBound(stopRule, tolerance, ctx.numVertices, normalized ? 1 : ctx.numVertices)!,
      }),
    });
  },
});

function shareOf(rank: number, outWeight: number): number {
  return outWeight > 0 ? rank / outWeight : 0;
}
