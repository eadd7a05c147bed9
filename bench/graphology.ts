/**
 * graphology in memory: PageRank on a graphology graph, gasworks' `runOnGraph` against
 * graphology-metrics' `pagerank.assign` in the same process, on the same graph, with the same
 * options (damping 0.85) and the same number of iterations. Default input: the LAW cnr-2000 web
 * graph (`--file` for another directed edge list, plain or gzip; `--small` for a generated graph
 * of 5,000 vertices, for CI).
 *
 *   node --import tsx bench/graphology.ts [--runs 3] [--workers 1,2] [--tolerance 1e-9] [--file F | --small]
 *
 * Same iterations: graphology-metrics stops by NetworkX's rule (Σ|Δ| < N·tolerance) and throws
 * when `maxIterations` comes first, so gasworks runs with `stopRule: 'networkx'` at the same
 * tolerance, reports k iterations, and graphology-metrics is then called with maxIterations k
 * (it must converge) and, once, k − 1 (it must throw): both did exactly k.
 *
 * Times are whole calls as a user sees them: gasworks' includes cutting the graph into
 * partitions, starting workers and writing the attribute back (its breakdown is printed too);
 * graphology-metrics' includes building its neighbourhood index and assigning the attribute.
 * Lines: one per run (`run`), medians per engine and worker count (`summary`), and the largest
 * |Δ| between the two results (`agreement`, must be ≤ 1e-9: the process exits 1 otherwise).
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import graphology from 'graphology';
import pagerankModule from 'graphology-metrics/centrality/pagerank.js';
import { fromDist, median, round } from './lib.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CNR = resolve(ROOT, '../shared/data/cnr-2000.txt.gz');
const Graph = graphology as unknown as typeof graphology.default;
const metricsPagerank = pagerankModule as unknown as typeof pagerankModule.default;
type AnyGraph = InstanceType<typeof Graph>;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    workers: { type: 'string', default: '1,2' },
    tolerance: { type: 'string', default: '1e-9' },
    file: { type: 'string' },
    small: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const tolerance = Number(values.tolerance);
const workerCounts = values.workers!.split(',').map(Number);
const DAMPING = 0.85;
const AGREEMENT = 1e-9;

const { runOnGraph } = await fromDist<typeof import('../src/graphology.js')>('graphology.js');
const { ALGORITHMS } = await fromDist<typeof import('../src/index.js')>('index.js');

const loadStart = performance.now();
const { graph, name } = values.small ? { graph: smallGraph(5000, 10, 7), name: 'small-5000' } : await loadEdgeList(values.file ?? CNR);
console.log(JSON.stringify({ bench: 'graphology-load', graph: name, vertices: graph.order, edges: graph.size, loadMs: round(performance.now() - loadStart) }));

// graphology-metrics' rule, where pagerank offers a choice of rules.
const pagerankDefaults = ALGORITHMS.find((a) => a.name === 'pagerank')!.defaults;
const networkxRule = 'stopRule' in pagerankDefaults ? { stopRule: 'networkx' } : {};
const options = { damping: DAMPING, tolerance, maxIterations: 1000, ...networkxRule };

const rows: Record<string, number | string>[] = [];
let iterations = 0;
for (const workers of workerCounts) {
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const summary = await runOnGraph(graph, 'pagerank', { options, workers, partitions: Math.max(4, workers), attribute: 'gasworks', top: 0 });
    const totalMs = performance.now() - started;
    iterations = summary.iterations;
    const { layoutMs, loadMs, computeMs, writeBackMs } = summary.timings;
    const row = { engine: 'gasworks', workers, placement: summary.placement, run, iterations, totalMs, layoutMs, loadMs, computeMs, writeBackMs };
    rows.push(row);
    console.log(JSON.stringify({ bench: 'graphology-pagerank', graph: name, ...rounded(row) }));
  }
}

// Exactly `iterations` updates for graphology-metrics: it converges within k and not within k − 1.
const metricsOptions = { alpha: DAMPING, tolerance, maxIterations: iterations, getEdgeWeight: null, nodePagerankAttribute: 'metrics' };
let sameIterations = true;
try {
  metricsPagerank(graph, { ...metricsOptions, maxIterations: iterations - 1 });
  sameIterations = iterations <= 1;
} catch {
  // "failed to converge": it needs all k.
}
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  metricsPagerank.assign(graph, metricsOptions);
  const row = { engine: 'graphology-metrics', workers: 1, run, iterations, totalMs: performance.now() - started };
  rows.push(row);
  console.log(JSON.stringify({ bench: 'graphology-pagerank', graph: name, ...rounded(row) }));
}

for (const [engine, workers] of [...new Set(rows.map((r) => `${r.engine}|${r.workers}`))].map((k) => k.split('|') as [string, string])) {
  const mine = rows.filter((r) => r.engine === engine && String(r.workers) === workers);
  const medianOf = (field: string): number | undefined => (field in mine[0]! ? round(median(mine.map((r) => r[field] as number))) : undefined);
  console.log(
    JSON.stringify({
      bench: 'summary',
      graph: name,
      engine,
      workers: Number(workers),
      runs: mine.length,
      iterations,
      totalMs: medianOf('totalMs'),
      layoutMs: medianOf('layoutMs'),
      loadMs: medianOf('loadMs'),
      computeMs: medianOf('computeMs'),
      writeBackMs: medianOf('writeBackMs'),
    }),
  );
}

let maxAbsDiff = 0;
let rankSum = 0;
graph.forEachNode((_node, attributes) => {
  maxAbsDiff = Math.max(maxAbsDiff, Math.abs((attributes.gasworks as number) - (attributes.metrics as number)));
  rankSum += attributes.gasworks as number;
});
const agree = maxAbsDiff <= AGREEMENT && sameIterations;
console.log(JSON.stringify({ bench: 'agreement', graph: name, iterations, sameIterations, maxAbsDiff, bound: AGREEMENT, gasworksRankSum: rankSum, ok: agree }));
if (!agree) process.exitCode = 1;

/** A directed edge list (SNAP text, plain or gzip) as a graphology graph; repeated edges are merged, so both engines see one simple graph. */
async function loadEdgeList(file: string): Promise<{ graph: AnyGraph; name: string }> {
  if (!existsSync(file)) throw new Error(`bench/graphology: ${file} not found (give --file FILE or --small)`);
  const graph = new Graph({ type: 'directed', multi: false, allowSelfLoops: true });
  const stream = createReadStream(file);
  const gzip = file.endsWith('.gz');
  for await (const line of createInterface({ input: gzip ? stream.pipe(createGunzip()) : stream, crlfDelay: Infinity })) {
    if (line === '' || line.startsWith('#') || line.startsWith('%')) continue;
    const [source, target] = line.trim().split(/\s+/, 2) as [string, string];
    graph.mergeEdge(source, target);
  }
  return { graph, name: file.replace(/^.*\//, '').replace(/\.(txt|tsv|csv)?(\.gz)?$/, '') };
}

/** A seeded random directed graph with a skewed in-degree (hubs among the low ids), some dangling vertices. */
function smallGraph(vertices: number, edgesPerVertex: number, seed: number): AnyGraph {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const graph = new Graph({ type: 'directed', multi: false, allowSelfLoops: true });
  for (let v = 0; v < vertices; v++) graph.addNode(String(v));
  for (let v = 0; v < vertices; v++) {
    if (v % 17 === 0) continue; // dangling
    for (let k = 0; k < edgesPerVertex; k++) graph.mergeEdge(String(v), String(Math.floor(vertices * random() ** 2)));
  }
  return graph;
}

function rounded(row: Record<string, number | string>): Record<string, number | string> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
}
