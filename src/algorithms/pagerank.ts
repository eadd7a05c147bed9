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
 * With `--engine async` it runs in push form (`pushPageRank`): an update passes the mass it
 * received on to its out-neighbours, and a vertex runs only once it has received enough.
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
  // Under the asynchronous engine PageRank runs in its push form (pushPageRank below).
  prepare: (options, graph) => {
    if (graph.engine === 'async' && options.tolerance === 0) {
      throw new InvalidArgumentError('pagerank: --tolerance 0 runs a fixed number of steps, which an asynchronous run has none of; give a tolerance', {
        option: 'tolerance',
      });
    }
    return { ...options, ...(graph.engine === 'async' && { dynamic: true }) };
  },
  // Asynchronously: the verification sweeps' changes (see pushPageRank), as sync lists its steps'.
  summarize: ({ stopRule, tolerance, dynamic }, run) =>
    dynamic ? { stopRule, tolerance, sweeps: run.steps.filter((step) => 'moved' in step.aggregates).length } : summarizeResiduals(run, stopRule, tolerance),
  create({ damping, tolerance, stopRule, weighted, variant, dynamic }) {
    if (dynamic) return pushPageRank({ damping, tolerance, stopRule, weighted, normalized: variant === 'normalized' });
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
 * PageRank in push (residual) form, for the asynchronous engine — the "dynamic PageRank" of
 * GraphLab (Low et al. 2012) and PowerGraph's toolkit, with PowerGraph's messages: each vertex
 * keeps q(v), the part of the fixed point q = 1 + d·Pᵀq it has absorbed, and an inbox of mass not
 * absorbed yet (1 to begin with). An update absorbs its inbox m (q(v) += m) and passes d·m·w/W(v)
 * on to each out-neighbour; a vertex runs only once its inbox reaches ε, the mass below ε waiting.
 * An update costs its out-degree and no gather, and vertices whose inbox stays small never run —
 * the residual push of Andersen, Chung & Lang (FOCS 2006), Gauss–Seidel order under `--scheduler
 * sweep`. The dangling mass needs no global step: it adds the same amount to every vertex, as the
 * teleport does, so the normalised ranks are q/Σq (PowerGraph's unnormalised ones (1 − d)·q),
 * applied by `finish` once the run ends.
 *
 * When nothing is scheduled the engine sweeps every vertex once — delivering every inbox — and
 * asks `converged`, which holds the mass the sweep absorbed (its change of the ranks) to the rule a
 * sync step's change is held to: "converged" means what it means under sync.
 *
 * ε = 10 × the tolerance, in units of a vertex's initial mass 1 (for the NetworkX rule, of its
 * N·tolerance): see `PUSH_THRESHOLD_FACTOR`. The earlier pull form (gather the in-neighbours' shares, signal when a
 * share moved) made 0.33× sync's updates on cnr-2000 but 0.81× on soc-Slashdot0902, and ran
 * 4.6–6.7× slower than sync: every update re-gathered its whole in-edge list.
 */
function pushPageRank(o: { damping: number; tolerance: number; stopRule: string; weighted: boolean; normalized: boolean }) {
  const { damping, weighted, normalized } = o;
  return defineProgram({
    name: 'pagerank',
    // rank: q(v) absorbed; push: what each out-edge carries per unit of weight after v's last update; delta: |mass| it absorbed.
    vertexColumns: { rank: 'f64', push: 'f64', delta: 'f64' },
    mirrorColumns: ['push'],
    gatherEdges: 'none',
    scatterEdges: 'out',
    asynchronous: true,
    initiallyActive: 'signaled',
    messages: { threshold: (graph) => PUSH_THRESHOLD_FACTOR * (residualBound(o.stopRule, o.tolerance, graph.numVertices) ?? 0) },
    result: 'rank',
    init(state, v, ctx) {
      state.rank[v] = 0;
      state.push[v] = 0;
      state.delta[v] = 0;
      ctx.send(v, 1);
    },
    apply(state, v, _total, ctx) {
      const mass = ctx.message;
      const outWeight = weighted ? state.outWeight[v]! : state.outDegree[v]!;
      state.rank[v]! += mass;
      state.delta[v] = Math.abs(mass);
      state.push[v] = outWeight > 0 ? (damping * mass) / outWeight : 0;
    },
    scatter(state, self, neighbor, edge, ctx) {
      const push = state.push[self]!;
      if (push !== 0) ctx.send(neighbor, weighted ? push * state.weight[edge]! : push);
    },
    aggregators: {
      total: { map: (state, v) => state.rank[v]!, sum: (a, b) => a + b, zero: 0 },
      /** Σ of the mass every vertex absorbed at its last update: after a sweep, the sweep's change. */
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

/**
 * ε of the push form over the stopping rule's bound. A larger ε leaves more mass for the
 * verification sweeps (each runs every vertex once, and a sweep that fails the rule is followed by
 * another); a smaller one runs more updates before them. Measured on one worker at tolerance 1e-6,
 * sweep scheduler (updates / sync's, verification sweeps, L1 to the exact ranks; sync's own L1 is
 * 1.9e-6 on cnr-2000 and 5.2e-6 on soc-Slashdot0902):
 *
 *   factor   cnr-2000                 soc-Slashdot0902
 *   3        0.44×, 1 sweep, 5.0e-7   0.78×, 1 sweep, 3.1e-7
 *   10       0.41×, 2 sweeps, 1.2e-6  0.73×, 2 sweeps, 8.9e-7
 *   30       0.38×, 3 sweeps, 2.8e-6  0.74×, 6 sweeps, 1.7e-6
 */
export const PUSH_THRESHOLD_FACTOR = 10;

function shareOf(rank: number, outWeight: number): number {
  return outWeight > 0 ? rank / outWeight : 0;
}
