/**
 * Scaling PageRank over workers, on a generated Graph500 Kronecker graph (default scale 22,
 * edge factor 16, undirected):
 *
 *   1 worker (in this thread) · 2 worker threads · 2 worker processes over loopback TCP
 *
 * per-iteration time (median over iterations 2…), speed-up over 1 worker, bytes exchanged per
 * step and, for processes, bytes on the wire per iteration — with the C pull-PageRank peer
 * (bench/peers/pull-pagerank.c, GAP pr_spmv's loop, OpenMP) on 1 and 2 threads on the same graph
 * in the same run. Then SSP: PageRank to tolerance on a smaller Kronecker graph (scale 20) with
 * two worker threads, one slowed 2×, for staleness 0, 1, 2 and 4: time to convergence (tolerance 1e-13).
 *
 *   npm run build && node --import tsx bench/scaling.ts [--scale 22] [--iterations 10] [--runs 3] [--ssp-scale 20]
 *     [--skip-single] [--skip-threads] [--skip-tcp] [--skip-c] [--skip-ssp]
 *
 * Each measured job runs in a fresh child process (peak RSS is the coordinator's alone); every
 * figure is printed as a JSON line, `summary` lines carry medians over runs.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, importKronecker, median, round, startWorkerProcess, useClusterSecret } from './lib.js';
import { buildPullPageRank, runPullPageRank, writePullPageRankInput } from './peers/pull-pagerank.js';

const HERE = fileURLToPath(import.meta.url);
// Workers require the cluster's secret; this run's workers and its job children inherit this one.
useClusterSecret();

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    'dump-csr': { type: 'string' },
    scale: { type: 'string', default: '22' },
    'ssp-scale': { type: 'string', default: '20' },
    iterations: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    'skip-ssp': { type: 'boolean', default: false },
    'skip-tcp': { type: 'boolean', default: false },
    'skip-single': { type: 'boolean', default: false },
    'skip-threads': { type: 'boolean', default: false },
    'skip-c': { type: 'boolean', default: false },
  },
});

interface Job {
  dataDir: string;
  graph: string;
  placement: 'in-process' | 'threads' | 'cluster';
  workers: number;
  cluster?: string[];
  iterations: number;
  tolerance?: number;
  staleness?: number;
  slowWorker?: { worker: number; factor: number };
}

if (values.child) {
  const job = JSON.parse(values.child) as Job;
  process.stdout.write(`${JSON.stringify(await child(job))}\n`);
  process.exit(0);
}
if (values['dump-csr']) {
  const { dataDir, graph, csr } = JSON.parse(values['dump-csr']) as { dataDir: string; graph: string; csr: string };
  await writePullPageRankInput(dataDir, graph, csr);
  process.exit(0);
}

const runs = Number(values.runs);
const iterations = Number(values.iterations);
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-scaling-'));
const workers: ChildProcess[] = [];
const prepared = new Map<number, { graph: string; dataDir: string }>();
try {
  const scale = Number(values.scale);
  const { graph, dataDir } = await prepare(scale);
  const base = { dataDir, graph, iterations };
  const perIteration = (results: Record<string, number>[]): number => median(results.map((r) => r.perIterationMs!));
  const oneMs = values['skip-single'] ? NaN : perIteration(repeat('1 worker', { ...base, placement: 'in-process', workers: 1 }));
  let twoMs = NaN;
  if (!values['skip-threads']) {
    twoMs = perIteration(repeat('2 threads', { ...base, placement: 'threads', workers: 2 }));
    console.log(JSON.stringify({ bench: 'speedup', graph, threads: 2, perIterationMs: round(twoMs), speedup: round(oneMs / twoMs) }));
  }
  if (!values['skip-tcp']) {
    const addresses = await Promise.all([0, 1].map(() => startWorkerProcess(join(work, `worker-${workers.length}`), workers)));
    const processesMs = perIteration(repeat('2 processes (loopback TCP)', { ...base, placement: 'cluster', workers: 2, cluster: addresses }));
    console.log(JSON.stringify({ bench: 'speedup', graph, processes: 2, perIterationMs: round(processesMs), speedup: round(oneMs / processesMs) }));
  }
  if (!values['skip-c']) cPeer(graph, dataDir, twoMs);
  if (!values['skip-ssp']) await ssp(Number(values['ssp-scale']));
} finally {
  for (const worker of workers) worker.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}

/** Generates and imports `kron-<scale>` into a fresh data directory (once per scale: SSP may run on the first graph's scale). */
async function prepare(scale: number): Promise<{ graph: string; dataDir: string }> {
  const done = prepared.get(scale);
  if (done) return done;
  const dataDir = join(work, `data-${scale}`);
  const { graph } = await importKronecker(work, scale, dataDir);
  prepared.set(scale, { graph, dataDir });
  return { graph, dataDir };
}

function repeat(label: string, job: Job, count = runs): Record<string, number>[] {
  const results: Record<string, number>[] = [];
  for (let run = 0; run < count; run++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--child', JSON.stringify(job)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`bench child failed (${child.status}): ${label}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
    console.log(JSON.stringify({ bench: 'run', label, graph: job.graph, run, ...result }));
    results.push(result);
  }
  const keys = Object.keys(results[0]!).filter((key) => typeof results[0]![key] === 'number');
  console.log(
    JSON.stringify({
      bench: 'pagerank',
      label,
      graph: job.graph,
      summary: true,
      runs: count,
      ...Object.fromEntries(keys.map((k) => [k, round(median(results.map((r) => r[k]!)))])),
    }),
  );
  return results;
}

async function child(job: Job): Promise<Record<string, number | number[]>> {
  const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
  const { runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');
  const catalog = Catalog.open(job.dataDir);
  try {
    const summary = await runJob(catalog, {
      graph: job.graph,
      algorithm: 'pagerank',
      options: { tolerance: job.tolerance ?? 1e-300, maxIterations: job.tolerance ? 1000 : job.iterations },
      workers: job.workers,
      inProcess: job.placement === 'in-process',
      cluster: job.cluster,
      staleness: job.staleness,
      slowWorker: job.slowWorker,
      top: 0,
    });
    const steps = summary.timings.perIterationMs;
    const wireBytes = summary.wire ? summary.wire.totalBytes - summary.wire.shardBytes : 0;
    return {
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      loadMs: round(summary.timings.loadMs),
      computeMs: round(summary.timings.computeMs),
      iterations: summary.iterations,
      perIterationMs: round(median(steps.slice(1))),
      exchangedBytesPerStep: Math.round(median(summary.exchange.bytesPerStep.slice(1))),
      messagesPerStep: median(summary.exchange.messagesPerStep.slice(1)),
      ...(summary.wire ? { wireBytesPerIteration: Math.round(wireBytes / summary.iterations), shardBytes: summary.wire.shardBytes } : {}),
      waitMsPerWorker: summary.workerStats.map((w) => round(w.waitMs)),
      ...(summary.maxLead !== null ? { maxLead: summary.maxLead } : {}),
    };
  } finally {
    catalog.close();
  }
}

/**
 * The C peer on 1 and 2 OpenMP threads over the same graph (the in-neighbour CSR of the stored
 * graph, written by a child process so the coordinator does not keep the graph). Each row gives the
 * threads the peer ran on; a build without OpenMP has no 2-thread row, and says why.
 */
function cPeer(graph: string, dataDir: string, gasworksTwoThreadsMs: number): void {
  const build = buildPullPageRank(work);
  if ('skipped' in build) {
    console.log(JSON.stringify({ bench: 'c-pull-pagerank', graph, skipped: build.skipped }));
    return;
  }
  const csr = join(work, 'graph.csr');
  const dumped = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--dump-csr', JSON.stringify({ dataDir, graph, csr })], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (dumped.status !== 0) throw new Error('CSR dump failed');
  for (const threads of [1, 2]) {
    if (threads > 1 && !build.openmp) {
      console.log(JSON.stringify({ bench: 'c-pull-pagerank', graph, threads, skipped: `built without OpenMP, so it runs on one thread: ${build.reason}` }));
      continue;
    }
    const peer = runPullPageRank(build.binary, csr, threads);
    if (peer.threads !== threads) throw new Error(`C peer asked for ${threads} threads ran on ${peer.threads}`);
    console.log(
      JSON.stringify({
        bench: 'c-pull-pagerank',
        graph,
        threads: peer.threads,
        perIterationMs: round(peer.perIterationMs),
        ...(threads === 2 && Number.isFinite(gasworksTwoThreadsMs) ? { gasworksTwoThreadsOverC: round(gasworksTwoThreadsMs / peer.perIterationMs) } : {}),
      }),
    );
  }
  rmSync(csr);
}

/** Time to convergence with one of two worker threads slowed 2×, for S = 0, 1, 2, 4. */
async function ssp(scale: number): Promise<void> {
  const { graph, dataDir } = await prepare(scale);
  for (const staleness of [0, 1, 2, 4]) {
    const results = repeat(`ssp S=${staleness}`, {
      dataDir,
      graph,
      placement: 'threads',
      workers: 2,
      iterations: 0,
      tolerance: 1e-13,
      staleness,
      slowWorker: { worker: 1, factor: 2 },
    });
    console.log(
      JSON.stringify({
        bench: 'ssp',
        graph,
        staleness,
        slowdown: 2,
        secondsToConverge: round(median(results.map((r) => r.computeMs!)) / 1000),
        iterations: median(results.map((r) => r.iterations!)),
      }),
    );
  }
}
