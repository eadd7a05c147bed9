/**
 * Coordinator traffic and time per superstep of PageRank on a Graph500 Kronecker graph (default
 * scale 20, edge factor 16, undirected, 4 partitions): issue 15's figures. Before the worker mesh
 * (commit 1f02837) every vertex-cut message went worker → coordinator → worker; now workers send
 * them to each other, and the coordinator's links carry control only.
 *
 *   npm run build && node --import tsx bench/cluster-traffic.ts [--scale 20] [--iterations 10] [--runs 3] [--workers 4]
 *
 * Placements, each for a fixed number of iterations (tolerance 0) so runs are comparable:
 *   cluster    — `--workers` `gasworks worker` processes on this machine (loopback TCP), started
 *                once; the first run ships the shards (`cold`, reported on its own), the next
 *                `--runs` use the workers' shard cache (`warm`, the summary)
 *   threads    — `--workers` worker threads
 *   in-process — 1 worker in the coordinator's thread
 *
 * Each job runs in a fresh child process; runs follow each other back to back. Per run and per
 * placement (`summary: true`: medians over the runs) it prints, over supersteps 2… (the first
 * carries start-up):
 *   msPerStep               median time per superstep
 *   exchangeBytesPerStep    vertex-cut payload bytes per step (partials, values, flags, signals)
 *   meshBytesPerStep        the same, summed from the per-link counts workers report
 *   coordinatorBytesPerStep cluster only: bytes on the coordinator's links during the step's calls, both ways
 *   coordinatorPpmOfMesh    cluster only: coordinatorBytesPerStep / meshBytesPerStep in parts per million (the target: well under 1 % = 10,000)
 *   controlMessagesPerStep  requests and responses between the coordinator and the workers per step
 *   messagesPerStep         vertex-cut messages per step
 *   mirrorUpdatesPerStep    master → mirror records per step (Σ (replicas − 1) over active vertices)
 *   wireBytesPerStep        cluster only: (wire.totalBytes − wire.shardBytes) / iterations, both
 *                           directions at the coordinator; it also carries setup, heartbeats and
 *                           result collection spread over the steps
 * and `load` lines with the load average before and after (the machine may be shared).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, importKronecker, median, round, startWorkerProcess, useClusterSecret } from './lib.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    scale: { type: 'string', default: '20' },
    iterations: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    workers: { type: 'string', default: '4' },
  },
});

type Placement = 'cluster' | 'threads' | 'in-process';

interface Job {
  dataDir: string;
  graph: string;
  placement: Placement;
  workers: number;
  cluster?: string[];
  iterations: number;
}

// Workers require the cluster's shared secret: one for this bench, inherited by the worker
// processes and the coordinator children alike.
useClusterSecret();

if (values.child) {
  const job = JSON.parse(values.child) as Job;
  process.stdout.write(`${JSON.stringify(await child(job))}\n`);
  process.exit(0);
}

const runs = Number(values.runs);
const iterations = Number(values.iterations);
const workerCount = Number(values.workers);
const scale = Number(values.scale);
const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-cluster-traffic-'));
const processes: ChildProcess[] = [];
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null;
const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() !== '';
const started = performance.now();
printLoad('start');
try {
  const { graph, dataDir } = await prepare();
  const base = { dataDir, graph, iterations };
  const addresses = await Promise.all(Array.from({ length: workerCount }, () => startWorkerProcess(join(work, `worker-${processes.length}`), processes)));
  const [cold] = repeat('cluster', 'cold', { ...base, placement: 'cluster', workers: workerCount, cluster: addresses }, 1);
  if (cold!.shardBytes === 0) throw new Error('the first run on fresh workers shipped no shards');
  // Warm runs find their shards in the workers' caches (`shardBytes` is then only the cache check).
  repeat('cluster', 'warm', { ...base, placement: 'cluster', workers: workerCount, cluster: addresses }, runs);
  repeat('threads', 'warm', { ...base, placement: 'threads', workers: workerCount }, runs);
  repeat('in-process', 'warm', { ...base, placement: 'in-process', workers: 1 }, runs);
} finally {
  for (const worker of processes) worker.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
printLoad('end');

function printLoad(at: 'start' | 'end'): void {
  const [one, five, fifteen] = loadavg().map(round);
  console.log(
    JSON.stringify({
      bench: 'load',
      at,
      loadAverage: [one, five, fifteen],
      cores: cpus().length,
      commit,
      srcDirty: dirty,
      ...(at === 'end' ? { totalSeconds: round((performance.now() - started) / 1000) } : {}),
    }),
  );
}

/** Generates `kron-<scale>` and imports it, undirected, into `--workers` partitions. */
async function prepare(): Promise<{ graph: string; dataDir: string }> {
  const dataDir = join(work, 'data');
  const { graph, partitions } = await importKronecker(work, scale, dataDir, workerCount);
  if (partitions !== workerCount) throw new Error(`imported ${partitions} partitions, asked for ${workerCount}`);
  return { graph, dataDir };
}

/** `count` runs back to back, each in a fresh child: one `run` line each, then a `summary` line of medians. */
function repeat(placement: Placement, cache: 'cold' | 'warm', job: Job, count: number): Record<string, number>[] {
  const results: Record<string, number>[] = [];
  for (let run = 0; run < count; run++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--child', JSON.stringify(job)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`bench child failed (${child.status}): ${placement} run ${run}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
    console.log(JSON.stringify({ bench: 'run', placement, cache, workers: job.workers, graph: job.graph, run, ...result }));
    results.push(result);
  }
  const keys = Object.keys(results[0]!).filter((key) => typeof results[0]![key] === 'number');
  console.log(
    JSON.stringify({
      bench: 'cluster-traffic',
      placement,
      cache,
      workers: job.workers,
      graph: job.graph,
      summary: true,
      runs: count,
      ...Object.fromEntries(keys.map((k) => [k, round(median(results.map((r) => r[k]!)))])),
    }),
  );
  return results;
}

/**
 * The coordinator's share of a step's traffic: bytes on its links during the step's calls (remote
 * workers only; null elsewhere) against the payload workers sent each other on the mesh.
 */
function controlFigures(
  steps: readonly { controlBytes: number | null; controlMessages: number; peerBytes: readonly (readonly number[])[] }[],
): Record<string, number> {
  const control = steps.map((step) => step.controlBytes);
  const mesh = steps.map((step) => step.peerBytes.flat().reduce((a, b) => a + b, 0));
  const figures: Record<string, number> = {
    meshBytesPerStep: Math.round(median(mesh)),
    controlMessagesPerStep: median(steps.map((step) => step.controlMessages)),
  };
  if (control.every((bytes) => bytes !== null)) {
    figures.coordinatorBytesPerStep = Math.round(median(control as number[]));
    // In parts per million: the share is far below what three decimals show.
    figures.coordinatorPpmOfMesh = Math.round(median(control.map((bytes, i) => (1e6 * (bytes as number)) / Math.max(1, mesh[i]!))));
  }
  return figures;
}

async function child(job: Job): Promise<Record<string, number | string>> {
  const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
  const { runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');
  const catalog = Catalog.open(job.dataDir);
  try {
    const begun = performance.now();
    const summary = await runJob(catalog, {
      graph: job.graph,
      algorithm: 'pagerank',
      options: { tolerance: 0, maxIterations: job.iterations },
      workers: job.workers,
      inProcess: job.placement === 'in-process',
      cluster: job.cluster,
      top: 0,
    });
    const wallMs = performance.now() - begun;
    if (summary.placement !== job.placement) throw new Error(`asked for ${job.placement}, ran ${summary.placement}`);
    if (summary.iterations !== job.iterations) throw new Error(`asked for ${job.iterations} iterations, ran ${summary.iterations} (${summary.stopReason})`);
    const later = <T>(xs: readonly T[]): T[] => (xs.length > 1 ? xs.slice(1) : [...xs]);
    const steps = summary.timings.perIterationMs;
    const wire = summary.wire;
    return {
      iterations: summary.iterations,
      steps: steps.length,
      msPerStep: round(median(later(steps))),
      firstStepMs: round(steps[0] ?? NaN),
      exchangeBytesPerStep: Math.round(median(later(summary.exchange.bytesPerStep))),
      ...controlFigures(later(summary.exchange.trafficPerStep)),
      messagesPerStep: median(later(summary.exchange.messagesPerStep)),
      mirrorUpdatesPerStep: median(later(summary.exchange.mirrorUpdatesPerStep)),
      ...(wire
        ? {
            wireBytesPerStep: Math.round((wire.totalBytes - wire.shardBytes) / steps.length),
            wireTotalBytes: wire.totalBytes,
            shardBytes: wire.shardBytes,
          }
        : {}),
      loadMs: round(summary.timings.loadMs),
      computeMs: round(summary.timings.computeMs),
      wallMs: round(wallMs),
      replicationFactor: round(summary.replicationFactor),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    catalog.close();
  }
}
