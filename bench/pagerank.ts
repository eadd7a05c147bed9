/**
 * PageRank speed on one thread: load-to-memory time, time per iteration, edges/s and peak RSS,
 * for the LAW cnr-2000 web graph (or `--file`, a directed edge list) and a Graph500 Kronecker
 * graph (default scale 20, undirected), with two peers in the same run: graphology-metrics'
 * `pagerank` and the C pull-PageRank (bench/peers/pull-pagerank.c, on one OpenMP thread; its row
 * gives the threads it ran on). Also the end-to-end CLI time of `gasworks import` +
 * `gasworks run pagerank` (tolerance 1e-6) on the same file.
 *
 * graphology holds Kronecker scale 20 (2^24 edges, kept as a multigraph as gasworks keeps them)
 * in about 6.2 GB, beyond Node's default heap of ~4 GB: its children run with
 * `--max-old-space-size` (`--graphology-heap-mb`, default 12288 or 3/4 of the machine's memory,
 * whichever is less), and a child that still runs out says so in a `skipped` line. On Kronecker
 * it runs once (each run builds the graph and calls pagerank five times, minutes at scale 20).
 *
 *   node --import tsx bench/pagerank.ts [--runs 3] [--iterations 20] [--scale 20] [--file F] [--skip-kron] [--skip-peer]
 *     [--graphology-heap-mb 12288]
 *
 * Each case runs in a fresh child process (so peak RSS is that case's alone) and prints one JSON
 * line; `summary` lines carry the medians over runs.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, median, round } from './lib.js';
import { buildPullPageRank, inNeighbourCsr, runPullPageRank } from './peers/pull-pagerank.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CNR = resolve(ROOT, '../shared/data/cnr-2000.txt.gz');

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    runs: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '20' },
    scale: { type: 'string', default: '20' },
    file: { type: 'string' },
    'skip-kron': { type: 'boolean', default: false },
    'skip-peer': { type: 'boolean', default: false },
    'graphology-heap-mb': { type: 'string', default: String(Math.min(12288, Math.floor((totalmem() / 2 ** 20) * 0.75))) },
  },
});

interface Job {
  kind: 'gasworks' | 'graphology';
  file: string;
  undirected: boolean;
  iterations: number;
  /** Where to write the in-neighbour CSR for the C peer (gasworks runs only). */
  dumpCsr?: string;
}

if (values.child) {
  const job = JSON.parse(values.child) as Job;
  const result = job.kind === 'gasworks' ? await childGasworks(job) : await childGraphology(job);
  process.stdout.write(`${JSON.stringify({ peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), ...result })}\n`);
  process.exit(0);
}

const runs = Number(values.runs);
const iterations = Number(values.iterations);
const graphologyHeapMB = Number(values['graphology-heap-mb']);
const file = values.file === undefined ? CNR : resolve(values.file);
const fileGraph = values.file === undefined ? 'cnr-2000' : basename(file).replace(/\.(txt|tsv|csv)?(\.gz)?$/, '');
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-pr-'));
try {
  if (existsSync(file)) {
    const csr = join(work, 'file.csr');
    const ours = repeat(runs, { kind: 'gasworks', file, undirected: false, iterations, dumpCsr: csr });
    summarize('pagerank', fileGraph, ours);
    cPeer(fileGraph, csr, ours);
    if (!values['skip-peer']) graphologyPeer(fileGraph, Math.min(runs, 3), { kind: 'graphology', file, undirected: false, iterations }, ours);
    endToEnd(fileGraph);
  } else {
    console.log(JSON.stringify({ bench: 'pagerank', graph: fileGraph, skipped: `${file} not found` }));
  }
  if (!values['skip-kron']) {
    const scale = Number(values.scale);
    const kronFile = join(work, `kron-${scale}.txt`);
    const { writeKroneckerEdgeList } = await fromDist<typeof import('../src/generate/kronecker.js')>('generate/kronecker.js');
    await writeKroneckerEdgeList({ scale, edgeFactor: 16, seed: 1 }, kronFile);
    const csr = join(work, 'kron.csr');
    const kron = repeat(runs, { kind: 'gasworks', file: kronFile, undirected: true, iterations, dumpCsr: csr });
    summarize('pagerank', `kron-${scale}`, kron);
    cPeer(`kron-${scale}`, csr, kron);
    if (!values['skip-peer']) graphologyPeer(`kron-${scale}`, 1, { kind: 'graphology', file: kronFile, undirected: true, iterations }, kron);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** graphology-metrics' pagerank on the graph gasworks measured (`ours`), and the ratio of their iteration times. */
function graphologyPeer(graph: string, count: number, job: Job, ours: Record<string, number>[]): void {
  const peer = repeat(count, job, [`--max-old-space-size=${graphologyHeapMB}`]);
  if (typeof peer === 'string') {
    console.log(JSON.stringify({ bench: 'graphology-metrics-pagerank', graph, skipped: peer }));
    return;
  }
  summarize('graphology-metrics-pagerank', graph, peer);
  const ratio = median(peer.map((r) => r.perIterationMs!)) / median(ours.map((r) => r.perIterationMs!));
  console.log(JSON.stringify({ bench: 'ratio', graph, graphologyOverGasworksPerIteration: round(ratio) }));
}

/** The C peer on the same graph, on one thread as gasworks here; skipped with a reason where there is no compiler. */
function cPeer(graph: string, csr: string, ours: Record<string, number>[]): void {
  const build = buildPullPageRank(work);
  if ('skipped' in build) {
    console.log(JSON.stringify({ bench: 'c-pull-pagerank', graph, skipped: build.skipped }));
    return;
  }
  const peer = runPullPageRank(build.binary, csr, 1);
  const oursMs = median(ours.map((r) => r.perIterationMs!));
  console.log(
    JSON.stringify({
      bench: 'c-pull-pagerank',
      graph,
      threads: peer.threads,
      openmp: build.openmp,
      perIterationMs: round(peer.perIterationMs),
      bestMs: round(peer.bestMs),
      gasworksOverC: round(oursMs / peer.perIterationMs),
    }),
  );
}

/** Runs `job` in `count` fresh children; the graphology peer's (it passes `nodeFlags`) may fail, and the reason is returned. */
function repeat(count: number, job: Job): Record<string, number>[];
function repeat(count: number, job: Job, nodeFlags: string[]): Record<string, number>[] | string;
function repeat(count: number, job: Job, nodeFlags: string[] = []): Record<string, number>[] | string {
  const results = [];
  for (let run = 0; run < count; run++) {
    const child = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', HERE, '--child', JSON.stringify(job)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) {
      const outOfMemory = /heap out of memory|ERR_STRING_TOO_LONG|Invalid array length/.test(child.stderr);
      const reason = outOfMemory
        ? `${job.kind} ran out of memory${nodeFlags.length > 0 ? ` (${nodeFlags.join(' ')})` : ''}`
        : `${job.kind} child failed (${child.status ?? child.signal}): ${child.stderr.split('\n').find((line) => /Error\b/.test(line)) ?? 'no error message'}`;
      if (nodeFlags.length > 0) return reason;
      process.stderr.write(child.stderr);
      throw new Error(`bench child failed: ${reason}: ${JSON.stringify(job)}`);
    }
    process.stderr.write(child.stderr);
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
function endToEnd(graph: string): void {
  const cli = join(ROOT, 'bin/gasworks.js');
  const dataDir = join(work, 'e2e');
  const started = performance.now();
  const imported = spawnSync(process.execPath, [cli, 'import', file, '--name', 'g', '--data-dir', dataDir], { encoding: 'utf8' });
  const ran = spawnSync(process.execPath, [cli, 'run', 'pagerank', '--graph', 'g', '--tolerance', '1e-6', '--data-dir', dataDir, '--json'], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (imported.status !== 0 || ran.status !== 0) throw new Error(`end-to-end failed: ${imported.stderr}${ran.stderr}`);
  const summary = JSON.parse(ran.stdout) as { iterations: number };
  console.log(JSON.stringify({ bench: 'import+run pagerank (CLI)', graph, seconds: round(seconds), iterations: summary.iterations }));
}

async function childGasworks(job: Job): Promise<Record<string, number>> {
  const { Catalog, GraphReader, graphStoreDir } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
  const { importGraph } = await fromDist<typeof import('../src/ingest/import-graph.js')>('ingest/import-graph.js');
  const { loadInProcessWorkers, resolveAlgorithmOptions, runSynchronous } = await fromDist<typeof import('../src/engine/index.js')>('engine/index.js');
  const pagerank = (await fromDist<typeof import('../src/algorithms/pagerank.js')>('algorithms/pagerank.js')).default;
  const dataDir = mkdtempSync(join(tmpdir(), 'gasworks-bench-data-'));
  try {
    const catalog = Catalog.open(dataDir);
    const imported = await importGraph(catalog, { file: job.file, name: 'g', undirected: job.undirected });
    const reader = GraphReader.open(graphStoreDir(dataDir, imported.graph));
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
      const { loadLocalGraph } = await fromDist<typeof import('../src/engine/coordinator/load.js')>('engine/coordinator/load.js');
      writeFileSync(job.dumpCsr, inNeighbourCsr(loadLocalGraph(reader, 0, 1), job.undirected));
    }
    // Edge visits per iteration: undirected edges are gathered from both ends.
    const edgeVisits = imported.graph.edges * (job.undirected ? 2 : 1);
    return {
      peakRssMB,
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
 * graphology-metrics' pagerank run for exactly 1 and exactly 1 + k iterations (tolerance 0 is never
 * met, so it stops at maxIterations, and throws "failed to converge" after it): the difference in
 * time over k is its time per iteration, free of the neighbourhood index it builds on every call.
 * k starts at `iterations` and grows 4× until the k iterations take at least half as long as the
 * one-iteration call, so that the index's noise cannot swamp them (counting on a tolerance instead
 * left 8 iterations against a ~90 s index on Kronecker scale 20: the difference came out negative).
 * Also the time of one whole call at tolerance 1e-6 (NetworkX's rule, graphology's only one).
 * Directed graphs are simple (cnr-2000 has no multi-edges: addEdge would throw); undirected ones
 * are Kronecker graphs, kept as the multigraph gasworks imports.
 */
async function childGraphology(job: Job): Promise<Record<string, number>> {
  const { createGunzip } = await import('node:zlib');
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const { DirectedGraph, MultiUndirectedGraph } = await import('graphology');
  const pagerank = (await import('graphology-metrics/centrality/pagerank.js')).default as unknown as (graph: object, options: object) => Record<string, number>;
  const graph = job.undirected ? new MultiUndirectedGraph({ allowSelfLoops: true }) : new DirectedGraph({ multi: false, allowSelfLoops: true });
  const buildStart = performance.now();
  const stream = createReadStream(job.file);
  for await (const line of createInterface({ input: isGzip(job.file) ? stream.pipe(createGunzip()) : stream, crlfDelay: Infinity })) {
    if (line.startsWith('#') || line === '') continue;
    const [source, target] = line.split(/\s+/, 2) as [string, string];
    if (!graph.hasNode(source)) graph.addNode(source);
    if (!graph.hasNode(target)) graph.addNode(target);
    graph.addEdge(source, target);
  }
  const loadMs = performance.now() - buildStart;
  const exactly = (maxIterations: number): number => {
    const started = performance.now();
    try {
      pagerank(graph, { alpha: 0.85, tolerance: 0, maxIterations });
    } catch (error) {
      if (!/failed to converge/.test(String(error))) throw error;
    }
    return performance.now() - started;
  };
  const one = Math.min(exactly(1), exactly(1));
  let extra = job.iterations;
  let many = exactly(1 + extra);
  while (many - one < one / 2 && extra < 5000) {
    extra *= 4;
    many = exactly(1 + extra);
  }
  const perIterationMs = (many - one) / extra;
  const started = performance.now();
  pagerank(graph, { alpha: 0.85, tolerance: 1e-6, maxIterations: 1000 });
  const loose = performance.now() - started;
  return {
    vertices: graph.order,
    edges: graph.size,
    loadMs: round(loadMs),
    callMsAtTolerance1e6: round(loose),
    perIterationMs: round(perIterationMs),
    iterationsTimed: extra,
    edgesPerSec: Math.round((graph.size * (job.undirected ? 2 : 1)) / (perIterationMs / 1000)),
  };
}

function isGzip(file: string): boolean {
  const magic = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}
