/**
 * Plain sequential oracles for the ranking algorithms, on test graphs read one way
 * (`OrientedGraph`, generators.ts).
 *
 * - `pagerankOracle`: NetworkX's `_pagerank_python` (networkx/algorithms/link_analysis/
 *   pagerank_alg.py) transcribed: start 1/N, the same update with dangling mass sent to the
 *   personalization vector, and the same stop rule (Σ|x − x_last| < N·tol), plus PowerGraph's
 *   unnormalised variant. Undirected graphs count each edge both ways (NetworkX's `to_directed`).
 * - `coreNumberOracle`: sequential peeling (Matula & Beck 1983; Batagelj & Zaveršnik 2003):
 *   repeatedly remove a vertex of minimum remaining degree; its core number is the largest
 *   minimum seen so far. Direction ignored, self-loops ignored, parallel edges counted.
 *
 * Graphs use labels 0..n−1; `weights`, when not null, are parallel to `edges`.
 */
import type { OrientedGraph } from './generators.js';

export interface PageRankOracleOptions {
  readonly damping: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly weighted?: boolean;
  /** PowerGraph's unnormalised update, start 1, dangling mass dropped. */
  readonly variant?: 'normalized' | 'graphlab';
  /** Restart vertices (NetworkX `personalization={s: 1 for s in sources}`). */
  readonly sources?: readonly number[];
  /** Stop when Σ|Δ| < tolerance (`l1`, the default) or < N·tolerance (`networkx`, NetworkX's rule). */
  readonly stopRule?: 'l1' | 'networkx';
}

export interface OracleRanks {
  readonly ranks: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
}

export function pagerankOracle(graph: OrientedGraph, options: PageRankOracleOptions): OracleRanks {
  const n = graph.vertices;
  const { damping, tolerance, maxIterations } = options;
  const normalized = (options.variant ?? 'normalized') === 'normalized';
  // Arcs of NetworkX's `G.to_directed()`: an undirected edge both ways, a self-loop once.
  const arcs: [number, number, number][] = [];
  graph.edges.forEach(([u, v], i) => {
    const w = options.weighted && graph.weights ? graph.weights[i]! : 1;
    arcs.push([u, v, w]);
    if (!graph.directed && u !== v) arcs.push([v, u, w]);
  });
  const outWeight = new Float64Array(n);
  for (const [u, , w] of arcs) outWeight[u]! += w;
  const restart = new Float64Array(n);
  if (options.sources) {
    const distinct = new Set(options.sources);
    for (const s of distinct) restart[s] = 1 / distinct.size;
  } else {
    restart.fill(1 / n);
  }
  let x = new Float64Array(n).fill(normalized ? 1 / n : 1);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const last = x;
    x = new Float64Array(n);
    let dangling = 0;
    for (let v = 0; v < n; v++) if (outWeight[v] === 0) dangling += last[v]!;
    for (const [u, v, w] of arcs) x[v]! += damping * last[u]! * (w / outWeight[u]!);
    for (let v = 0; v < n; v++) x[v]! += normalized ? damping * dangling * restart[v]! + (1 - damping) * restart[v]! : 1 - damping;
    let err = 0;
    for (let v = 0; v < n; v++) err += Math.abs(x[v]! - last[v]!);
    // The residual on the scale where ranks sum to 1: graphlab ranks sum to about N.
    const residual = normalized ? err : err / n;
    if (residual < (options.stopRule === 'networkx' ? (n * tolerance) / (normalized ? 1 : n) : tolerance))
      return { ranks: x, iterations: iteration, converged: true };
  }
  return { ranks: x, iterations: maxIterations, converged: false };
}

export function coreNumberOracle(graph: OrientedGraph): Int32Array {
  const n = graph.vertices;
  const neighbors: number[][] = Array.from({ length: n }, () => []);
  for (const [u, v] of graph.edges) {
    if (u === v) continue;
    neighbors[u]!.push(v);
    neighbors[v]!.push(u);
  }
  const degree = neighbors.map((list) => list.length);
  const removed = new Uint8Array(n);
  const core = new Int32Array(n);
  let level = 0;
  for (let round = 0; round < n; round++) {
    let v = -1;
    for (let u = 0; u < n; u++) if (!removed[u] && (v < 0 || degree[u]! < degree[v]!)) v = u;
    level = Math.max(level, degree[v]!);
    core[v] = level;
    removed[v] = 1;
    for (const u of neighbors[v]!) if (!removed[u]) degree[u]!--;
  }
  return core;
}
