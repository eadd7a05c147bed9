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
 * With `--engine async` it runs in delta form (`dynamicPageRank`): a vertex updates only when an
 * in-neighbour's rank moved enough, highest move first under `--scheduler priority`.
 *
 * Example: `gasworks run pagerank --graph cnr --tolerance 1e-8`.
 */
import { defineAlgorithm, defineProgram, InvalidArgumentError } from '../engine/index.js';
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
  // Under the asynchronous engine PageRank runs in its delta form (dynamicPageRank below).
  prepare: (options, graph) => {
    if (graph.engine === 'async' && options.tolerance === 0) {
      throw new InvalidArgumentError('pagerank: --tolerance 0 runs a fixed number of steps, which an asynchronous run has none of; give a tolerance', {
        option: 'tolerance',
      });
    }
    return { ...options, ...(graph.engine === 'async' && { dynamic: true }) };
  },
  // Asynchronously: the verification sweeps' changes (see dynamicPageRank), as sync lists its steps'.
  summarize: ({ stopRule, tolerance, dynamic }, run) =>
    dynamic ? { stopRule, tolerance, sweeps: run.steps.filter((step) => 'moved' in step.aggregates).length } : summarizeResiduals(run, stopRule, tolerance),
  create({ damping, tolerance, stopRule, weighted, variant, dynamic }) {
    if (dynamic) return dynamicPageRank({ damping, tolerance, stopRule, weighted, normalized: variant === 'normalized' });
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

/**
 * PageRank in delta form, for the asynchronous engine (the "dynamic PageRank" of GraphLab,
 * Low et al. 2012, and PowerGraph's toolkit): each vertex keeps q(v) = 1 + d·Σ_{u→v} q(u)·w/W(u)
 * and tells its out-neighbours to update only when its share q(v)/W(v) — what each of them reads
 * per unit of edge weight — has moved more than a threshold ε since it last told them, with that
 * move as their priority. The dangling mass needs no global step: it adds the same amount to
 * every vertex, as the teleport does, so the normalised ranks are q/Σq (and PowerGraph's
 * unnormalised ones (1 − d)·q), applied by `finish` once the run ends.
 *
 * When nothing is scheduled the engine sweeps every vertex once and asks `converged`, which holds
 * the sweep's total change to the same rule as a sync step's (Σ|Δ| of the normalised ranks below
 * the tolerance, or NetworkX's N·tolerance): "converged" means what it means under sync. ε only
 * decides how much the signals do before the sweeps take over: ε = 100·tolerance·N/A, A the arcs
 * (edges, twice on an undirected graph). Measured on cnr-2000 (tolerance 1e-6, sweep scheduler)
 * for ε = k·tolerance·(1 − d)·N/(d·A) — the move at which a vertex's untold changes could add up
 * to the tolerance over the in-weights — k = 1: 12.8 M updates, 854 ms; k = 100: 8.8 M, 592 ms;
 * k = 1000 (the ε here, about): 7.8 M, 575 ms, 3 sweeps; k = 10⁴: 8.1 M, 9 sweeps. On
 * soc-Slashdot0902: 4.9 M, 3.7 M, 3.4 M updates for k = 1, 100, 1000.
 */
function dynamicPageRank(o: { damping: number; tolerance: number; stopRule: string; weighted: boolean; normalized: boolean }) {
  const { damping, weighted, normalized } = o;
  /** ε, known once the graph's size is (the first update's context). */
  let threshold: number | undefined;
  return defineProgram({
    name: 'pagerank',
    vertexColumns: { rank: 'f64', share: 'f64', told: 'f64', push: 'f64', delta: 'f64' },
    gatherEdges: 'in',
    scatterEdges: 'out',
    asynchronous: true,
    result: 'rank',
    init(state, v) {
      state.rank[v] = 1;
      state.share[v] = shareOf(1, weighted ? state.outWeight[v]! : state.outDegree[v]!);
      state.told[v] = 0;
      state.push[v] = 0;
      state.delta[v] = 0;
    },
    gather: weighted ? (state, _self, neighbor, edge) => state.share[neighbor]! * state.weight[edge]! : (state, _self, neighbor) => state.share[neighbor]!,
    zero: 0,
    sum: (a, b) => a + b,
    apply(state, v, total, ctx) {
      const next = 1 + damping * total;
      const outWeight = weighted ? state.outWeight[v]! : state.outDegree[v]!;
      state.delta[v] = Math.abs(next - state.rank[v]!);
      state.rank[v] = next;
      state.share[v] = shareOf(next, outWeight);
      // What each out-neighbour reads of v (its share, per unit of edge weight) has moved by `moved`
      // since v last told them; `push` > 0 tells them, with the move as their priority.
      const moved = outWeight > 0 ? Math.abs(next - state.told[v]!) / outWeight : 0;
      if (moved > (threshold ??= signalThreshold(o.stopRule, o.tolerance, ctx))) {
        state.told[v] = next;
        state.push[v] = damping * moved;
      } else state.push[v] = 0;
    },
    scatter(state, self, neighbor, edge, ctx) {
      const push = state.push[self]!;
      if (push > 0) ctx.signal(neighbor, weighted ? push * state.weight[edge]! : push);
    },
    aggregators: {
      total: { map: (state, v) => state.rank[v]!, sum: (a, b) => a + b, zero: 0 },
      /** Σ|Δq| of the last update of every vertex: after a sweep, the sweep's change. */
      moved: { map: (state, v) => state.delta[v]!, sum: (a, b) => a + b, zero: 0 },
    },
    // The sweep's change on sync's scale: normalised ranks (q/Σq), or graphlab ranks ((1 − d)q) per vertex.
    converged: (ctx) => {
      const n = ctx.numVertices;
      const change = normalized ? ctx.aggregate('moved') / ctx.aggregate('total') : ((1 - damping) * ctx.aggregate('moved')) / n;
      return change < residualBound(o.stopRule, o.tolerance, n, normalized ? 1 : n)!;
    },
    finish(state, v, ctx) {
      state.rank[v] = normalized ? state.rank[v]! / ctx.aggregate('total') : (1 - damping) * state.rank[v]!;
    },
  });
}

/** ε of the delta form: the move of a vertex's share not passed on to its out-neighbours (see dynamicPageRank). */
function signalThreshold(stopRule: string, tolerance: number, graph: { numVertices: number; numEdges: number; directed: boolean }): number {
  const target = residualBound(stopRule, tolerance, graph.numVertices) ?? 0;
  // Σ over vertices of their in-weight: the edges, counted from both ends on an undirected graph.
  const arcs = Math.max(1, graph.numEdges * (graph.directed ? 1 : 2));
  return (100 * target * graph.numVertices) / arcs;
}

function shareOf(rank: number, outWeight: number): number {
  return outWeight > 0 ? rank / outWeight : 0;
}
