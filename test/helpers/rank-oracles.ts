/**
 * Plain sequential oracles for the ranking algorithms, and the small graphs they are checked on.
 *
 * - `pagerankOracle`: NetworkX's `_pagerank_python` (networkx/algorithms/link_analysis/
 *   pagerank_alg.py) transcribed: start 1/N, the same update with dangling mass sent to the
 *   personalization vector, and the same stop rule (Σ|x − x_last| < N·tol), plus PowerGraph's
 *   unnormalised variant. Undirected graphs count each edge both ways (NetworkX's `to_directed`).
 * - `coreNumberOracle`: sequential peeling (Matula & Beck 1983; Batagelj & Zaveršnik 2003):
 *   repeatedly remove a vertex of minimum remaining degree; its core number is the largest
 *   minimum seen so far. Direction ignored, self-loops ignored, parallel edges counted.
 *
 * Graphs use dense labels 0..n−1, each vertex on at least one edge (so an edge-list file has
 * exactly n vertices); `weights`, when present, are parallel to `edges`.
 */
import { seededRandom } from './generators.js';

export interface TestGraph {
  readonly name: string;
  readonly vertices: number;
  readonly directed: boolean;
  readonly edges: readonly (readonly [number, number])[];
  readonly weights?: readonly number[];
}

/** SNAP-style text (`u<TAB>v[<TAB>w]`) for a test graph. */
export function edgeListText(graph: TestGraph): string {
  const lines = graph.edges.map(([u, v], i) => (graph.weights ? `${u}\t${v}\t${graph.weights[i]}` : `${u}\t${v}`));
  return `# ${graph.name}\n${lines.join('\n')}\n`;
}

/** Relabels the endpoints 0..n−1 in order of first appearance, dropping vertices on no edge. */
function dense(name: string, directed: boolean, edges: readonly (readonly [number, number])[], weights?: readonly number[]): TestGraph {
  const ids = new Map<number, number>();
  const id = (v: number): number => ids.get(v) ?? (ids.set(v, ids.size), ids.size - 1);
  const relabelled = edges.map(([u, v]) => [id(u), id(v)] as const);
  return { name, vertices: ids.size, directed, edges: relabelled, ...(weights ? { weights } : {}) };
}

/** A star: hub 0 and `leaves` leaves; directed, even leaves are pointed at and odd ones point in (so some are dangling). */
export function star(leaves: number, directed: boolean): TestGraph {
  const edges = Array.from({ length: leaves }, (_, i): [number, number] => (directed && i % 2 === 1 ? [i + 1, 0] : [0, i + 1]));
  return dense(`star${leaves}${directed ? 'd' : 'u'}`, directed, edges);
}

/** A path 0 → 1 → … → n−1. */
export function chain(n: number, directed: boolean): TestGraph {
  return dense(
    `chain${n}${directed ? 'd' : 'u'}`,
    directed,
    Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as const),
  );
}

/** A `width`×`height` grid, edges pointing right and down. */
export function grid2d(width: number, height: number, directed: boolean): TestGraph {
  const edges: [number, number][] = [];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = r * width + c;
      if (c + 1 < width) edges.push([v, v + 1]);
      if (r + 1 < height) edges.push([v, v + width]);
    }
  }
  return dense(`grid${width}x${height}${directed ? 'd' : 'u'}`, directed, edges);
}

/** Erdős–Rényi G(n, p): each ordered (directed) or unordered (undirected) pair u ≠ v independently with probability p. */
export function erdosRenyi(seed: number, n: number, p: number, directed: boolean): TestGraph {
  const random = seededRandom(seed);
  const edges: [number, number][] = [];
  for (let u = 0; u < n; u++) for (let v = directed ? 0 : u + 1; v < n; v++) if (u !== v && random() < p) edges.push([u, v]);
  return dense(`er${n}${directed ? 'd' : 'u'}`, directed, edges);
}

/**
 * Preferential attachment (Barabási & Albert 1999): vertex t > m links to `m` earlier vertices
 * drawn with probability proportional to degree, with replacement, so parallel edges occur.
 * Directed graphs also get a self-loop on every 13th vertex and a dangling tail; edges point
 * from new to old, so the oldest vertices are the in-degree hubs.
 */
export function powerLaw(seed: number, n: number, m: number, directed: boolean): TestGraph {
  const random = seededRandom(seed);
  const endpoints: number[] = [];
  const edges: [number, number][] = [];
  for (let u = 0; u < m; u++) edges.push([u + 1, u]);
  for (const [u, v] of edges) endpoints.push(u, v);
  for (let t = m + 1; t < n; t++) {
    for (let k = 0; k < m; k++) edges.push([t, endpoints[Math.floor(random() * endpoints.length)]!]);
    for (let k = edges.length - m; k < edges.length; k++) endpoints.push(...edges[k]!);
  }
  if (directed) {
    for (let v = 0; v < n; v += 13) edges.push([v, v]);
    edges.push([0, n], [n, n + 1]);
  }
  return dense(`powerlaw${n}${directed ? 'd' : 'u'}`, directed, edges);
}

/** The same graph with weights 1..4 in quarters (exact in binary, so sums do not depend on order). */
export function withWeights(graph: TestGraph, seed: number): TestGraph {
  const random = seededRandom(seed);
  return { ...graph, name: `${graph.name}w`, weights: graph.edges.map(() => 1 + Math.floor(random() * 13) / 4) };
}

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

export function pagerankOracle(graph: TestGraph, options: PageRankOracleOptions): OracleRanks {
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

export function coreNumberOracle(graph: TestGraph): Int32Array {
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
