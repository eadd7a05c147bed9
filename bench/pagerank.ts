/**
 * PageRank speed on one thread: load-to-memory time, time per iteration, edges/s and peak RSS,
 * for the LAW cnr-2000 web graph and a Graph500 Kronecker graph (default scale 20, undirected),
 * with graphology-metrics' `pagerank` on cnr-2000 in the same run as the peer (graphology cannot
 * hold 2^24 edges, so it is skipped on scale 20). Also the end-to-end CLI time of
 * `gasworks import` + `gasworks run pagerank` (tolerance 1e-6) on cnr-2000.
 *
 *   node --import tsx bench/pagerank.ts [--runs 3] [--iterations 20] [--scale 20] [--skip-kron] [--skip-peer]
 *
 * Each case runs in a fresh child process (so peak RSS is that case's alone) and prints one JSON
 * line; `summary` lines carry the medians over runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, median, round } from './lib.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CNR = resolve(ROOT, '../shared/data/cnr-2000.txt.gz');

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    runs: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '20' },
    scale: { type: 'string', default: '20' },
    'skip-kron': { type: 'boolean', default: false },
    'skip-peer': { type: 'boolean', default: false },
  },
});

interface Job {
  kind: 'gasworks' | 'graphology';
  file: string;
  undirected: boolean;
  iterations: number;
  /** Where to write the in-neighbour CSR for the C peer (gasworks runs only). */
  dumpCsr?: string;
  /** Iterations to converge at tolerance 1e-6 and 1e-10 (from the gasworks run), for the peer. */
  iterationsAt1e6?: number;
  iterationsAt1e10?: number;
}

if (values.child) {
  const job = JSON.parse(values.child) as Job;
  const result = job.kind === 'gasworks' ? await childGasworks(job) : await childGraphology(job);
  process.stdout.write(`${JSON.stringify({ peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...result })}\n`);
  process.exit(0);
}

const runs = Number(values.runs);
const iterations = Number(values.iterations);
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-pr-'));
try {
  if (existsSync(CNR)) {
    const csr = join(work, 'cnr.csr');
    const ours = repeat(runs, { kind: 'gasworks', file: CNR, undirected: false, iterations, dumpCsr: csr });
    summarize('pagerank', 'cnr-2000', ours);
    cPeer('cnr-2000', csr, ours);
    if (!values['skip-peer']) {
      const { iterationsAt1e6, iterationsAt1e10 } = ours[0]!;
      const peer = repeat(Math.min(runs, 3), { kind: 'graphology', file: CNR, undirected: false, iterations, iterationsAt1e6, iterationsAt1e10 });
      summarize('graphology-metrics-pagerank', 'cnr-2000', peer);
      const ratio = median(peer.map((r) => r.perIterationMs!)) / median(ours.map((r) => r.perIterationMs!));
      console.log(JSON.stringify({ bench: 'ratio', graph: 'cnr-2000', graphologyOverGasworksPerIteration: round(ratio) }));
    }
    endToEnd();
  }
  if (!values['skip-kron']) {
    const scale = Number(values.scale);
    const file = join(work, `kron-${scale}.txt`);
    const { writeKroneckerEdgeList } = await fromDist<typeof import('../src/generate/kronecker.js')>('generate/kronecker.js');
    await writeKroneckerEdgeList({ scale, edgeFactor: 16, seed: 1 }, file);
    const csr = join(work, 'kron.csr');
    const kron = repeat(runs, { kind: 'gasworks', file, undirected: true, iterations, dumpCsr: csr });
    summarize('pagerank', `kron-${scale}`, kron);
    cPeer(`kron-${scale}`, csr, kron);
    console.log(
      JSON.stringify({
        bench: 'graphology-metrics-pagerank',
        graph: `kron-${scale}`,
        skipped: 'graphology cannot hold 2^24 edges (it runs out of memory at 6.5 GB)',
      }),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * The C peer (bench/peers/pull-pagerank.c, GAP pr_spmv's loop) on the same graph, compiled here
 * with the system compiler; skipped with a reason where there is none.
 */
function cPeer(graph: string, csr: string, ours: Record<string, number>[]): void {
  const binary = join(work, 'pull-pagerank');
  const compiled = spawnSync('cc', ['-O3', '-march=native', '-o', binary, join(ROOT, 'bench/peers/pull-pagerank.c')], { encoding: 'utf8' });
  if (compiled.status !== 0) {
    console.log(JSON.stringify({ bench: 'c-pull-pagerank', graph, skipped: `no C compiler (${compiled.error?.message ?? compiled.stderr.trim()})` }));
    return;
  }
  const runsOfPeer = [0, 1, 2].map(() => JSON.parse(spawnSync(binary, [csr], { encoding: 'utf8' }).stdout) as { bestMs: number; medianMs: number });
  const peerMs = median(runsOfPeer.map((r) => r.medianMs));
  const oursMs = median(ours.map((r) => r.perIterationMs!));
  console.log(
    JSON.stringify({
      bench: 'c-pull-pagerank',
      graph,
      perIterationMs: round(peerMs),
      bestMs: round(Math.min(...runsOfPeer.map((r) => r.bestMs))),
      gasworksOverC: round(oursMs / peerMs),
    }),
  );
}

function repeat(count: number, job: Job): Record<string, number>[] {
  const results = [];
  for (let run = 0; run < count; run++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--child', JSON.stringify(job)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`bench child failed (${child.status}): ${JSON.stringify(job)}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
    console.log(JSON.stringify({ bench: 'run', kind: job.kind, file: job.file, run, ...result }));
    results.push(result);
  }
  return results;
}

function summarize(bench: string, graph: string, results: Record<string, number>[]): void {
  const keys = Object.keys(results[0]!).filter((key) => typeof results[0]![key] === 'number');
  const medians = Object.fromEntries(keys.map((key) => [key, round(median(results.map((r) => r[key]!)))]));
  console.log(JSON.stringify({ bench, graph, summary: true, runs: results.length, ...medians }));
}

/** `gasworks import` then `gasworks run pagerank --tolerance 1e-6`, through the built CLI. */
function endToEnd(): void {
  const cli = join(ROOT, 'bin/gasworks.js');
  const dataDir = join(work, 'e2e');
  const started = performance.now();
  const imported = spawnSync(process.execPath, [cli, 'import', CNR, '--name', 'cnr', '--data-dir', dataDir], { encoding: 'utf8' });
  const ran = spawnSync(process.execPath, [cli, 'run', 'pagerank', '--graph', 'cnr', '--tolerance', '1e-6', '--data-dir', dataDir, '--json'], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (imported.status !== 0 || ran.status !== 0) throw new Error(`end-to-end failed: ${imported.stderr}${ran.stderr}`);
  const summary = JSON.parse(ran.stdout) as { iterations: number };
  console.log(JSON.stringify({ bench: 'import+run pagerank (CLI)', graph: 'cnr-2000', seconds: round(seconds), iterations: summary.iterations }));
}

async function childGasworks(job: Job): Promise<Record<string, number>> {
  const { Catalog, GraphReader, graphDir } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
  const { importGraph } = await fromDist<typeof import('../src/ingest/import-graph.js')>('ingest/import-graph.js');
  const { loadInProcessWorkers, resolveAlgorithmOptions, runSynchronous } = await fromDist<typeof import('../src/engine/index.js')>('engine/index.js');
  const pagerank = (await fromDist<typeof import('../src/algorithms/pagerank.js')>('algorithms/pagerank.js')).default;
  const dataDir = mkdtempSync(join(tmpdir(), 'gasworks-bench-data-'));
  try {
    const catalog = Catalog.open(dataDir);
    const imported = await importGraph(catalog, { file: job.file, name: 'g', undirected: job.undirected });
    const reader = GraphReader.open(graphDir(dataDir, imported.graph.id));
    // A tolerance nothing reaches, so every run does exactly `iterations` steps.
    const program = pagerank.create(resolveAlgorithmOptions(pagerank, { tolerance: 1e-300, maxIterations: job.iterations }));
    const loadStart = performance.now();
    const { endpoints, facts } = loadInProcessWorkers(reader, program, 1);
    const loadMs = performance.now() - loadStart;
    const outcome = await runSynchronous(endpoints, program, facts, { maxIterations: job.iterations });
    const perIterationMs = median(outcome.steps.slice(1).map((step) => step.ms));
    // Peak RSS of the measured run, before the peer's input is prepared.
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    if (job.dumpCsr) {
      const { loadLocalGraph } = await fromDist<typeof import('../src/engine/load.js')>('engine/load.js');
      writeFileSync(job.dumpCsr, inNeighbourCsr(loadLocalGraph(reader, 0, 1), job.undirected));
    }
    // Edge visits per iteration: undirected edges are gathered from both ends.
    const edgeVisits = imported.graph.edges * (job.undirected ? 2 : 1);
    const iterationsAt = async (tolerance: number): Promise<number> => {
      const converging = pagerank.create(resolveAlgorithmOptions(pagerank, { tolerance, maxIterations: 1000 }));
      const loaded = loadInProcessWorkers(reader, converging, 1);
      return (await runSynchronous(loaded.endpoints, converging, loaded.facts, { maxIterations: 1000 })).iterations;
    };
    const convergence: Record<string, number> = job.undirected
      ? {}
      : { iterationsAt1e6: await iterationsAt(1e-6), iterationsAt1e10: await iterationsAt(1e-10) };
    return {
      peakRssMB,
      ...convergence,
      vertices: imported.graph.vertices,
      edges: imported.graph.edges,
      loadMs: round(loadMs),
      perIterationMs: round(perIterationMs),
      edgesPerSec: Math.round(edgeVisits / (perIterationMs / 1000)),
      iterations: outcome.iterations,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * graphology-metrics' pagerank stopped after one iteration and run to tolerance 1e-10: the
 * difference in time over the difference in iterations is its time per iteration, free of the
 * neighbourhood index it builds on every call.
 * Both implement NetworkX's update and stopping rule, so the iteration counts are gasworks' own.
 */
async function childGraphology(job: Job): Promise<Record<string, number>> {
  const { createGunzip } = await import('node:zlib');
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const graphology = (await import('graphology')).default as unknown as {
    DirectedGraph: new (options: object) => {
      addEdge(a: string, b: string): void;
      hasNode(a: string): boolean;
      addNode(a: string): void;
      order: number;
      size: number;
    };
  };
  const pagerank = (await import('graphology-metrics/centrality/pagerank.js')).default as unknown as (graph: object, options: object) => Record<string, number>;
  const graph = new graphology.DirectedGraph({ multi: false, allowSelfLoops: true });
  const buildStart = performance.now();
  for await (const line of createInterface({ input: createReadStream(job.file).pipe(createGunzip()), crlfDelay: Infinity })) {
    if (line.startsWith('#') || line === '') continue;
    const tab = line.indexOf('\t');
    const source = line.slice(0, tab);
    const target = line.slice(tab + 1);
    if (!graph.hasNode(source)) graph.addNode(source);
    if (!graph.hasNode(target)) graph.addNode(target);
    graph.addEdge(source, target);
  }
  const loadMs = performance.now() - buildStart;
  const timed = (tolerance: number): number => {
    const started = performance.now();
    pagerank(graph, { alpha: 0.85, tolerance, maxIterations: 1000 });
    return performance.now() - started;
  };
  // Tolerance 10 stops after one iteration; the best of two calls each damps the noise.
  const one = Math.min(timed(10), timed(10));
  const tight = Math.min(timed(1e-10), timed(1e-10));
  const loose = timed(1e-6);
  const perIterationMs = (tight - one) / (job.iterationsAt1e10! - 1);
  return {
    vertices: graph.order,
    edges: graph.size,
    loadMs: round(loadMs),
    callMsAtTolerance1e6: round(loose),
    perIterationMs: round(perIterationMs),
    edgesPerSec: Math.round(graph.size / (perIterationMs / 1000)),
  };
}

/** The C peer's input: the in-neighbour CSR (undirected: both directions, a self-loop once) and out-degrees. */
function inNeighbourCsr(graph: import('../src/engine/local-graph.js').LocalGraph, undirected: boolean): Buffer {
  const n = graph.numVertices;
  const { inOffsets, inSources, outOffsets, dst } = graph;
  const offsets = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) {
    let count = inOffsets[v + 1]! - inOffsets[v]!;
    if (undirected) {
      count += outOffsets[v + 1]! - outOffsets[v]!;
      for (let k = inOffsets[v]!; k < inOffsets[v + 1]!; k++) if (inSources[k] === v) count--;
    }
    offsets[v + 1] = offsets[v]! + count;
  }
  const neighbours = new Uint32Array(offsets[n]!);
  const degree = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    let at = offsets[v]!;
    for (let k = inOffsets[v]!; k < inOffsets[v + 1]!; k++) if (!undirected || inSources[k] !== v) neighbours[at++] = inSources[k]!;
    if (undirected) for (let e = outOffsets[v]!; e < outOffsets[v + 1]!; e++) neighbours[at++] = dst[e]!;
  }
  for (let k = 0; k < neighbours.length; k++) degree[neighbours[k]!]!++;
  return Buffer.concat([
    Buffer.from(new Uint32Array([n, neighbours.length]).buffer),
    Buffer.from(offsets.buffer),
    Buffer.from(neighbours.buffer),
    Buffer.from(degree.buffer),
  ]);
}
