/**
 * Personalized PageRank (Page et al., 1999, §6; Haveliwala, "Topic-sensitive PageRank", WWW
 * 2002): PageRank whose random surfer, when it teleports or reaches a dangling vertex, restarts
 * at one of the `sources` only. It is NetworkX's `pagerank(G, personalization={s: 1 for s in
 * sources})` with its default start and dangling weights; it stops as `pagerank` does (an L1
 * change below tolerance, or NetworkX's N·tolerance with `stopRule: 'networkx'`):
 *
 *   p(v) = 1/|S| if v ∈ S else 0                                   (S: the distinct sources)
 *   r(v) = 1/N                                                     (NetworkX's default start)
 *   repeat until Σ_v |r'(v) − r(v)| < tolerance, or maxIterations:
 *     D     = Σ_{u: W(u) = 0} r(u)                                 (dangling mass)
 *     r'(v) = (1 − d)·p(v) + d·( Σ_{u→v} r(u)·w(u,v)/W(u) + D·p(v) )
 *
 * with W(u) the total out-weight of u (its out-degree when unweighted); ranks sum to 1, and a
 * vertex no source can reach ends with rank 0. On undirected graphs every edge counts both ways;
 * a self-loop there counts twice (the engine's undirected degree counts both of its ends), where
 * NetworkX's `to_directed` keeps it once — the same as `pagerank`.
 *
 * Options (defaults): sources (required: comma-separated vertex labels), damping 0.85,
 * tolerance 1e-6, stopRule 'l1', maxIterations 100, weighted false (use edge weights).
 *
 * Example: `gasworks run personalized-pagerank --graph cnr --sources 12,407 --tolerance 1e-8`.
 */
import { defineAlgorithm, defineProgram } from '../engine/index.js';
import { DAMPING_OPTION } from './pagerank.js';
import { RANK_STOP_OPTIONS, residualBound, summarizeResiduals } from './support/rank-stop-rule.js';

interface Prepared {
  readonly sourceIds: ReadonlySet<number>;
  readonly damping: number;
  readonly tolerance: number;
  readonly stopRule: string;
  readonly weighted: boolean;
}

export default defineAlgorithm({
  name: 'personalized-pagerank',
  gathers: 'in',
  description: 'PageRank restarting at --sources (NetworkX personalization)',
  options: {
    sources: {
      default: [] as readonly string[],
      required: true,
      description: 'vertex labels the surfer restarts at, comma-separated',
      aliases: ['sourceNodes', 'personalization'],
    },
    damping: DAMPING_OPTION,
    ...RANK_STOP_OPTIONS,
    weighted: { default: false, description: "split each vertex's rank by edge weight (the graph must be weighted)" },
  },
  prepare({ sources, damping, tolerance, stopRule, weighted }, graph): Prepared {
    return { sourceIds: new Set(sources.map((label) => graph.idOf(label, 'sources'))), damping, tolerance, stopRule, weighted };
  },
  summarize: ({ stopRule, tolerance }, run) => summarizeResiduals(run, stopRule, tolerance),
  create({ sourceIds, damping, tolerance, stopRule, weighted }) {
    const restart = 1 / sourceIds.size;
    return defineProgram({
      name: 'personalized-pagerank',
      // `share` = r(u)/W(u), refreshed by u's apply; `restart` = p(u), fixed at init.
      vertexColumns: { rank: 'f64', share: 'f64', restart: 'f64', delta: 'f64' },
      mirrorColumns: ['share'],
      gatherEdges: 'in',
      scatterEdges: 'none',
      alwaysActive: true,
      result: 'rank',
      init(state, v, ctx) {
        const rank = 1 / ctx.numVertices;
        state.rank[v] = rank;
        state.restart[v] = sourceIds.has(ctx.globalId(v)) ? restart : 0;
        state.share[v] = shareOf(rank, weighted ? state.outWeight[v]! : state.outDegree[v]!);
      },
      gather: weighted ? (state, _self, neighbor, edge) => state.share[neighbor]! * state.weight[edge]! : (state, _self, neighbor) => state.share[neighbor]!,
      zero: 0,
      sum: (a, b) => a + b,
      apply(state, v, total, ctx) {
        const p = state.restart[v]!;
        const next = (1 - damping) * p + damping * (total + ctx.aggregate('dangling') * p);
        state.delta[v] = Math.abs(next - state.rank[v]!);
        state.rank[v] = next;
        state.share[v] = shareOf(next, weighted ? state.outWeight[v]! : state.outDegree[v]!);
      },
      aggregators: {
        // Dangling as NetworkX defines it: zero out-weight (a vertex whose out-edges all weigh 0 is dangling too).
        dangling: { map: (state, v) => ((weighted ? state.outWeight[v]! : state.outDegree[v]!) === 0 ? state.rank[v]! : 0), sum: (a, b) => a + b, zero: 0 },
        change: { map: (state, v) => state.delta[v]!, sum: (a, b) => a + b, zero: 0 },
      },
      ...(tolerance > 0 && { converged: (ctx) => ctx.aggregate('change') < residualBound(stopRule, tolerance, ctx.numVertices)! }),
    });
  },
});

function shareOf(rank: number, outWeight: number): number {
  return outWeight > 0 ? rank / outWeight : 0;
}
