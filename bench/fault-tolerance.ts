/**
 * Fault tolerance of the sync engine on worker threads and worker processes (issue 18): does a run
 * that loses a worker end with the result of a run that lost none, and what do checkpoints and a
 * recovery cost.
 *
 *   npm run build && node --import tsx bench/fault-tolerance.ts [--sections recovery,overhead] [--runs 20] [--seed 1]
 *     [--every 3] [--scale 22] [--repeats 3] [--overhead-workers 2]
 *     [--placement threads|processes] [--signals SIGKILL,SIGSTOP] [--spare] [--algorithms pagerank,…]
 *     [--als-ratings 20000000] [--als-iterations 10]
 *
 * `recovery` (R2): PageRank (cnr-2000, 20 iterations, tolerance 0), connected components
 * (soc-Slashdot0902, undirected), ALS (ml-latest-small, rank 10, 10 iterations) and LDA (KOS, 20
 * topics, 20 iterations), each imported into 2 partitions and run on 2 worker threads: once
 * uninterrupted (the reference), then `--runs` times with a checkpoint every `--every` steps and
 * one worker thread (0 or 1) exiting when a step in [1, steps − 2] begins, both drawn by a
 * generator seeded by `--seed`. One `recovery` line per algorithm:
 *   runs, succeeded (job succeeded), oneRecovery (exactly one recovery recorded),
 *   identical (every result value === the reference's), maxAbsDiff (over all runs),
 *   recoveryMs {median, max} (`recoveries[0].ms`: starting the worker threads again and loading
 *   their partitions; restoring the checkpoint is inside computeMs),
 *   stepsRedone (median of lostAfterStep − resumedAfterStep; from the start counts resumedAfterStep as −1),
 *   checkpointedIdentical (one more uninterrupted run with the checkpoints: same result),
 *   computeMs {reference, checkpointed (that run), crashedMedian, ratio (crashed / reference)} (a
 *   recovered run's computeMs is the compute before its checkpoint plus its last attempt: the work
 *   lost, the wait for the dead thread and the restart are not in it), wallMs {reference, crashedMedian, ratio} (runJob end to end, everything included),
 *   stepMs (the reference's median step), crashes (the [worker, atStep] points used, in order).
 * A run that is not identical also prints a `recovery-mismatch` line (seed, run, crash point, how
 * many values differ, the first that does).
 *
 * `--placement processes` runs the same `recovery` section on two `gasworks worker` processes
 * (`--cluster`, loopback; with `--spare`, a third as `--spares`): each run starts fresh processes
 * (their shard caches kept, so only a recovery ships shards), and when the drawn step completes
 * the drawn worker's process gets each signal of `--signals` in turn — one `recovery` line per
 * algorithm and signal, `--runs` seeded runs each: SIGKILL closes its connection, SIGSTOP is
 * found by its silent heartbeats (`GASWORKS_HEARTBEAT_TIMEOUT_MS`, set to 2000 here unless given;
 * the stopped process is continued and stopped after the run). The line adds placement, signal,
 * within1e9 (runs whose every value is within 1e-9 of the reference's), restartMs {median, max}
 * (`recoveries[0].ms`: connecting to the processes again and loading their partitions) and
 * stallMs {median, max} (from the signal to the end of the next step reported: detecting the
 * loss, restarting, restoring and redoing the steps lost).
 *
 * `overhead`: PageRank (20 iterations, tolerance 0) on the Kronecker graph of `--scale` (edge
 * factor 16, undirected) on `--overhead-workers` threads, `--repeats` runs without and with a
 * checkpoint every 5 steps, alternating. One `checkpoint-overhead` line: median computeMs of each,
 * their ratio (target ≤ 1.05), checkpoints taken, bytes and ms per checkpoint (writing them),
 * median step ms, laterStepMs {without, with} (median of the steps after the first checkpoint) and
 * loadMs. Then one run with a checkpoint every 5 steps whose worker 1 exits when step 12 begins:
 * a `recovery-cost` line with identical (to the first uninterrupted run), recoveryMs, stepsRedone, computeMs and wallMs against the
 * uninterrupted medians, and stallMs (from the end of step 11 to the end of step 12, against a
 * median step: detecting the loss, restarting, restoring and redoing the lost steps).
 *
 * `--als-ratings N` (the `overhead` section, or `als` alone) adds ALS (rank 10, `--als-iterations` iterations) on a
 * synthetic set of N ratings — the one bench/als.ts makes for `--synthetic N` (same generator,
 * same seed) — on `--overhead-workers` threads, `--repeats` runs without and with a checkpoint
 * every 5 steps, alternating: an `als-checkpoint-overhead` line like `checkpoint-overhead`, with the
 * import time.
 *
 * A `load` line gives os.loadavg() at the start and at the end (the machine may be shared).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, importKronecker, median, round, seededRandom, startWorkerProcess, useClusterSecret, writeSyntheticRatings } from './lib.js';
import type { JobSummary, RunOptions } from '../src/api/index.js';
import type { Catalog as StoredCatalog } from '../src/storage/index.js';

const DATA = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const { values } = parseArgs({
  options: {
    sections: { type: 'string', default: 'recovery,overhead' },
    runs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    every: { type: 'string', default: '3' },
    scale: { type: 'string', default: '22' },
    repeats: { type: 'string', default: '3' },
    'overhead-workers': { type: 'string', default: '2' },
    placement: { type: 'string', default: 'threads' },
    signals: { type: 'string', default: 'SIGKILL,SIGSTOP' },
    spare: { type: 'boolean', default: false },
    algorithms: { type: 'string', default: 'pagerank,connected-components,als,lda' },
    'als-ratings': { type: 'string', default: '0' },
    'als-iterations': { type: 'string', default: '10' },
  },
});
const sections = new Set(values.sections.split(','));
const runs = Number(values.runs);
const seed = Number(values.seed);
const every = Number(values.every);
const scale = Number(values.scale);
const repeats = Number(values.repeats);
const overheadWorkers = Number(values['overhead-workers']);
const placement = values.placement;
if (placement !== 'threads' && placement !== 'processes') throw new Error(`fault-tolerance: --placement must be threads or processes, got ${placement}`);
const signals = values.signals.split(',') as NodeJS.Signals[];
for (const signal of signals)
  if (signal !== 'SIGKILL' && signal !== 'SIGSTOP') throw new Error(`fault-tolerance: --signals takes SIGKILL and SIGSTOP, got ${signal}`);
const algorithms = new Set(values.algorithms.split(','));
const alsRatings = Number(values['als-ratings']);
const alsIterations = Number(values['als-iterations']);

const { Catalog, graphDir, readResults } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
const { importGraphFile, runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');

/** The result column of a succeeded job, by global id. */
function resultOf(catalog: StoredCatalog, jobId: number): Float64Array {
  return readResults(graphDir(catalog.dataDir, catalog.jobs.get(jobId).graphId!), jobId).values;
}

/** A job run to the end, timed end to end, with the time each step was reported (a replayed step is reported again). */
async function timedRun(catalog: StoredCatalog, run: RunOptions): Promise<{ summary: JobSummary; wallMs: number; reported: { step: number; at: number }[] }> {
  const reported: { step: number; at: number }[] = [];
  const started = performance.now();
  const summary = await runJob(catalog, { ...run, top: 0, onStep: (step) => reported.push({ step: step.iteration, at: performance.now() }) });
  return { summary, wallMs: performance.now() - started, reported };
}

/** How `actual` differs from `expected`: values not ===, the largest |difference|, the first index that differs. */
function compare(expected: Float64Array, actual: Float64Array): { differing: number; maxAbsDiff: number; first: number } {
  if (expected.length !== actual.length) return { differing: Math.max(expected.length, actual.length), maxAbsDiff: Infinity, first: 0 };
  let differing = 0;
  let maxAbsDiff = 0;
  let first = -1;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === actual[i]) continue;
    differing++;
    if (first < 0) first = i;
    // NaN against a number counts as an infinite difference, not as none.
    const diff = Math.abs(expected[i]! - actual[i]!);
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff);
  }
  return { differing, maxAbsDiff, first };
}

interface RecoveryCase {
  readonly name: string;
  readonly data: string;
  readonly importOptions: Omit<Parameters<typeof importGraphFile>[1], 'name' | 'partitions'>;
  readonly run: Omit<RunOptions, 'graph' | 'workers'>;
}

const CASES: readonly RecoveryCase[] = [
  {
    name: 'pagerank',
    data: 'cnr-2000 (directed)',
    importOptions: { file: join(DATA, 'cnr-2000.txt.gz') },
    run: { algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 20 } },
  },
  {
    name: 'connected-components',
    data: 'soc-Slashdot0902 (undirected)',
    importOptions: { file: join(DATA, 'soc-Slashdot0902.txt.gz'), undirected: true },
    run: { algorithm: 'connected-components' },
  },
  {
    name: 'als',
    data: 'ml-latest-small',
    importOptions: { file: join(DATA, 'ml-latest-small.ratings.csv.gz'), format: 'ratings' },
    run: { algorithm: 'als', options: { rank: 10, maxIterations: 10 } },
  },
  {
    name: 'lda',
    data: 'KOS (docword.kos)',
    importOptions: { file: join(DATA, 'docword.kos.txt.gz'), vocab: join(DATA, 'vocab.kos.txt.gz'), format: 'uci' },
    run: { algorithm: 'lda', options: { topics: 20, maxIterations: 20 } },
  },
];

async function recoverySection(catalog: StoredCatalog): Promise<void> {
  const rng = seededRandom(seed);
  for (const { name, data, importOptions, run } of CASES.filter((c) => algorithms.has(c.name))) {
    await importGraphFile(catalog, { ...importOptions, name, partitions: 2 });
    const request: RunOptions = { ...run, graph: name, workers: 2 };
    const reference = await timedRun(catalog, request);
    // The same run with checkpoints and no crash: what checkpointing alone costs, apart from the crash.
    const checkpointedReference = await timedRun(catalog, { ...request, checkpointEvery: every });
    const expected = resultOf(catalog, reference.summary.jobId);
    const steps = reference.summary.timings.perIterationMs.length;
    if (steps < 3) throw new Error(`fault-tolerance: ${name} ran ${steps} steps; a crash in [1, steps − 2] needs at least 3`);
    const crashes: [number, number][] = [];
    const measured: {
      succeeded: boolean;
      oneRecovery: boolean;
      identical: boolean;
      maxAbsDiff: number;
      recoveryMs: number | null;
      stepsRedone: number | null;
      computeMs: number;
      wallMs: number;
    }[] = [];
    for (let r = 0; r < runs; r++) {
      const worker = Math.floor(rng() * 2);
      const atStep = 1 + Math.floor(rng() * (steps - 2));
      crashes.push([worker, atStep]);
      try {
        const { summary, wallMs } = await timedRun(catalog, { ...request, checkpointEvery: every, crashWorker: { worker, atStep } });
        const actual = resultOf(catalog, summary.jobId);
        const { differing, maxAbsDiff, first } = compare(expected, actual);
        const recovery = summary.recoveries[0];
        if (differing > 0) {
          console.log(
            JSON.stringify({
              bench: 'recovery-mismatch',
              algorithm: name,
              seed,
              run: r,
              crash: { worker, atStep },
              recoveries: summary.recoveries,
              differing,
              of: expected.length,
              maxAbsDiff,
              first: { index: first, expected: expected[first], actual: actual[first] },
            }),
          );
        }
        measured.push({
          succeeded: catalog.jobs.get(summary.jobId).status === 'succeeded',
          oneRecovery: summary.recoveries.length === 1,
          identical: differing === 0,
          maxAbsDiff,
          recoveryMs: recovery?.ms ?? null,
          stepsRedone: recovery ? recovery.lostAfterStep - (recovery.resumedAfterStep ?? -1) : null,
          computeMs: summary.timings.computeMs,
          wallMs,
        });
      } catch (error) {
        console.log(JSON.stringify({ bench: 'recovery-failed', algorithm: name, seed, run: r, crash: { worker, atStep }, error: String(error) }));
        measured.push({
          succeeded: false,
          oneRecovery: false,
          identical: false,
          maxAbsDiff: Infinity,
          recoveryMs: null,
          stepsRedone: null,
          computeMs: NaN,
          wallMs: NaN,
        });
      }
    }
    const recoveryMs = measured.flatMap((m) => (m.recoveryMs === null ? [] : [m.recoveryMs]));
    const stepsRedone = measured.flatMap((m) => (m.stepsRedone === null ? [] : [m.stepsRedone]));
    const ran = measured.filter((m) => m.succeeded);
    const crashedComputeMs = median(ran.map((m) => m.computeMs));
    const crashedWallMs = median(ran.map((m) => m.wallMs));
    console.log(
      JSON.stringify({
        bench: 'recovery',
        algorithm: name,
        data,
        workers: 2,
        every,
        steps,
        seed,
        runs,
        succeeded: ran.length,
        oneRecovery: measured.filter((m) => m.oneRecovery).length,
        identical: measured.filter((m) => m.identical).length,
        maxAbsDiff: Math.max(0, ...measured.map((m) => m.maxAbsDiff)),
        recoveryMs: recoveryMs.length > 0 ? { median: round(median(recoveryMs)), max: round(Math.max(...recoveryMs)) } : null,
        stepsRedone: stepsRedone.length > 0 ? median(stepsRedone) : null,
        checkpointedIdentical: compare(expected, resultOf(catalog, checkpointedReference.summary.jobId)).differing === 0,
        computeMs: {
          reference: round(reference.summary.timings.computeMs),
          checkpointed: round(checkpointedReference.summary.timings.computeMs),
          crashedMedian: round(crashedComputeMs),
          ratio: round(crashedComputeMs / reference.summary.timings.computeMs),
        },
        wallMs: { reference: round(reference.wallMs), crashedMedian: round(crashedWallMs), ratio: round(crashedWallMs / reference.wallMs) },
        stepMs: round(median([...reference.summary.timings.perIterationMs])),
        loadMs: round(reference.summary.timings.loadMs),
        crashes,
      }),
    );
  }
}

/** One run on worker processes: the processes it used (to stop afterwards) and what came of it. */
interface ProcessRun {
  readonly summary: JobSummary | null;
  readonly error: string | null;
  readonly wallMs: number;
  /** From the signal to the end of the next step reported, or null (no signal sent, or no step after it). */
  readonly stallMs: number | null;
}

/** `gasworks worker` processes for one run, their data directories (shard caches) kept from run to run. */
async function startProcesses(work: string, count: number): Promise<{ addresses: string[]; children: ChildProcess[] }> {
  const children: ChildProcess[] = [];
  const addresses = await Promise.all(
    Array.from({ length: count }, (_, slot) => {
      const dir = join(work, `worker-${slot}`);
      mkdirSync(dir, { recursive: true });
      return startWorkerProcess(dir, children);
    }),
  );
  return { addresses, children };
}

async function stopProcesses(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await once(child, 'exit');
    }),
  );
}

/**
 * `request` on two fresh worker processes (and a spare with `--spare`); with `crash`, worker
 * `crash.worker`'s process gets `crash.signal` when step `crash.atStep` has been reported.
 */
async function runOnProcesses(
  catalog: StoredCatalog,
  work: string,
  request: RunOptions,
  crash: { worker: number; atStep: number; signal: NodeJS.Signals } | null,
): Promise<ProcessRun> {
  const { addresses, children } = await startProcesses(work, values.spare ? 3 : 2);
  let signalledAt: number | null = null;
  let stallMs: number | null = null;
  const started = performance.now();
  try {
    const summary = await runJob(catalog, {
      ...request,
      cluster: addresses.slice(0, 2),
      spares: addresses.slice(2),
      top: 0,
      onStep: (step) => {
        if (signalledAt !== null && stallMs === null) stallMs = performance.now() - signalledAt;
        if (crash && signalledAt === null && step.iteration === crash.atStep) {
          signalledAt = performance.now();
          children[crash.worker]!.kill(crash.signal);
        }
      },
    });
    return { summary, error: null, wallMs: performance.now() - started, stallMs };
  } catch (error) {
    return { summary: null, error: String(error), wallMs: performance.now() - started, stallMs };
  } finally {
    await stopProcesses(children);
  }
}

/** The `recovery` section on worker processes: `--runs` seeded signals per algorithm and signal. */
async function processRecoverySection(catalog: StoredCatalog, work: string): Promise<void> {
  useClusterSecret();
  process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS ??= '2000';
  const rng = seededRandom(seed);
  for (const { name, data, importOptions, run } of CASES.filter((c) => algorithms.has(c.name))) {
    await importGraphFile(catalog, { ...importOptions, name, partitions: 2 });
    const request: RunOptions = { ...run, graph: name };
    const reference = await runOnProcesses(catalog, work, request, null);
    if (!reference.summary) throw new Error(`fault-tolerance: ${name} on processes failed: ${reference.error}`);
    const expected = resultOf(catalog, reference.summary.jobId);
    const steps = reference.summary.timings.perIterationMs.length;
    if (steps < 3) throw new Error(`fault-tolerance: ${name} ran ${steps} steps; a signal in [1, steps − 2] needs at least 3`);
    for (const signal of signals) {
      const crashes: [number, number][] = [];
      const measured: {
        succeeded: boolean;
        identical: boolean;
        within: boolean;
        maxAbsDiff: number;
        restartMs: number | null;
        stallMs: number | null;
        wallMs: number;
      }[] = [];
      for (let r = 0; r < runs; r++) {
        const worker = Math.floor(rng() * 2);
        const atStep = 1 + Math.floor(rng() * (steps - 2));
        crashes.push([worker, atStep]);
        const outcome = await runOnProcesses(catalog, work, { ...request, checkpointEvery: every }, { worker, atStep, signal });
        const summary = outcome.summary;
        if (!summary) {
          console.log(
            JSON.stringify({ bench: 'recovery-failed', placement, signal, algorithm: name, seed, run: r, crash: { worker, atStep }, error: outcome.error }),
          );
          measured.push({ succeeded: false, identical: false, within: false, maxAbsDiff: Infinity, restartMs: null, stallMs: null, wallMs: NaN });
          continue;
        }
        const actual = resultOf(catalog, summary.jobId);
        const { differing, maxAbsDiff, first } = compare(expected, actual);
        if (maxAbsDiff > 1e-9) {
          const firstDiff = { index: first, expected: expected[first], actual: actual[first] };
          console.log(
            JSON.stringify({
              bench: 'recovery-mismatch',
              placement,
              signal,
              algorithm: name,
              seed,
              run: r,
              recoveries: summary.recoveries,
              differing,
              maxAbsDiff,
              first: firstDiff,
            }),
          );
        }
        measured.push({
          succeeded: catalog.jobs.get(summary.jobId).status === 'succeeded' && summary.recoveries.length === 1,
          identical: differing === 0,
          within: maxAbsDiff <= 1e-9,
          maxAbsDiff,
          restartMs: summary.recoveries[0]?.ms ?? null,
          stallMs: outcome.stallMs,
          wallMs: outcome.wallMs,
        });
      }
      const spread = (xs: (number | null)[]): { median: number; max: number } | null => {
        const known = xs.filter((x): x is number => x !== null);
        return known.length > 0 ? { median: round(median(known)), max: round(Math.max(...known)) } : null;
      };
      console.log(
        JSON.stringify({
          bench: 'recovery',
          placement,
          signal,
          algorithm: name,
          data,
          workers: 2,
          spare: values.spare,
          every,
          steps,
          seed,
          runs,
          succeeded: measured.filter((m) => m.succeeded).length,
          identical: measured.filter((m) => m.identical).length,
          within1e9: measured.filter((m) => m.within).length,
          maxAbsDiff: Math.max(0, ...measured.map((m) => m.maxAbsDiff)),
          restartMs: spread(measured.map((m) => m.restartMs)),
          stallMs: spread(measured.map((m) => m.stallMs)),
          stepMs: round(median([...reference.summary.timings.perIterationMs])),
          wallMs: { reference: round(reference.wallMs), signalledMedian: round(median(measured.filter((m) => m.succeeded).map((m) => m.wallMs))) },
          heartbeatTimeoutMs: Number(process.env.GASWORKS_HEARTBEAT_TIMEOUT_MS),
          crashes,
        }),
      );
    }
  }
}

/** ALS on `alsRatings` synthetic ratings, without and with a checkpoint every 5 steps (`--als-ratings`). */
async function alsOverhead(catalog: StoredCatalog, work: string): Promise<void> {
  const file = join(work, 'synthetic-ratings.tsv');
  const { users, items } = await writeSyntheticRatings(file, alsRatings);
  const importStarted = performance.now();
  await importGraphFile(catalog, { file, name: 'als-synthetic', format: 'ratings', partitions: 4 });
  const importSeconds = (performance.now() - importStarted) / 1000;
  rmSync(file, { force: true });
  const request: RunOptions = {
    graph: 'als-synthetic',
    algorithm: 'als',
    options: { rank: 10, maxIterations: alsIterations },
    workers: overheadWorkers,
  };
  const without: number[] = [];
  const withCheckpoints: { computeMs: number; taken: number; bytes: number; ms: number }[] = [];
  let stepMs: number[] = [];
  let loadMs = 0;
  let identical = true;
  let expected: Float64Array | null = null;
  for (let r = 0; r < repeats; r++) {
    const plain = await timedRun(catalog, request);
    without.push(plain.summary.timings.computeMs);
    stepMs = stepMs.concat(plain.summary.timings.perIterationMs);
    loadMs = plain.summary.timings.loadMs;
    expected ??= resultOf(catalog, plain.summary.jobId);
    const checkpointed = await timedRun(catalog, { ...request, checkpointEvery: 5 });
    const taken = checkpointed.summary.checkpoints!;
    withCheckpoints.push({ computeMs: checkpointed.summary.timings.computeMs, taken: taken.taken, bytes: taken.bytes, ms: taken.ms });
    identical &&= compare(expected, resultOf(catalog, checkpointed.summary.jobId)).differing === 0;
  }
  const withMs = median(withCheckpoints.map((c) => c.computeMs));
  const withoutMs = median(without);
  console.log(
    JSON.stringify({
      bench: 'als-checkpoint-overhead',
      ratings: alsRatings,
      users,
      items,
      rank: 10,
      iterations: alsIterations,
      workers: overheadWorkers,
      repeats,
      every: 5,
      computeMs: { without: round(withoutMs), with: round(withMs), ratio: round(withMs / withoutMs) },
      checkpoints: median(withCheckpoints.map((c) => c.taken)),
      bytesPerCheckpoint: Math.round(median(withCheckpoints.map((c) => c.bytes / Math.max(1, c.taken)))),
      msPerCheckpoint: round(median(withCheckpoints.map((c) => c.ms / Math.max(1, c.taken)))),
      identical,
      stepMs: round(median(stepMs)),
      loadMs: round(loadMs),
      importSeconds: round(importSeconds),
    }),
  );
}

/** With a checkpoint every 5 steps, the first is taken after step 4 (steps count from 0). */
const FIRST_CHECKPOINT_STEP = 4;

async function overheadSection(catalog: StoredCatalog, work: string): Promise<void> {
  const { graph } = await importKronecker(work, scale, catalog.dataDir);
  const request: RunOptions = { graph, algorithm: 'pagerank', options: { tolerance: 0, maxIterations: 20 }, workers: overheadWorkers };
  const plain: { computeMs: number; wallMs: number; loadMs: number; stepMs: number[] }[] = [];
  let expected: Float64Array | null = null;
  const checkpointed: { computeMs: number; taken: number; bytes: number; ms: number; laterStepMs: number[] }[] = [];
  // Alternating, so a drift in the machine's load falls on both alike.
  for (let r = 0; r < repeats; r++) {
    const without = await timedRun(catalog, request);
    expected ??= resultOf(catalog, without.summary.jobId);
    plain.push({
      computeMs: without.summary.timings.computeMs,
      wallMs: without.wallMs,
      loadMs: without.summary.timings.loadMs,
      stepMs: [...without.summary.timings.perIterationMs],
    });
    const { summary } = await timedRun(catalog, { ...request, checkpointEvery: 5 });
    const taken = summary.checkpoints!;
    checkpointed.push({
      computeMs: summary.timings.computeMs,
      taken: taken.taken,
      bytes: taken.bytes,
      ms: taken.ms,
      laterStepMs: summary.timings.perIterationMs.slice(FIRST_CHECKPOINT_STEP + 1),
    });
  }
  const plainComputeMs = median(plain.map((p) => p.computeMs));
  const plainWallMs = median(plain.map((p) => p.wallMs));
  const stepMs = median(plain.flatMap((p) => p.stepMs));
  const loadMs = median(plain.map((p) => p.loadMs));
  const withComputeMs = median(checkpointed.map((c) => c.computeMs));
  console.log(
    JSON.stringify({
      bench: 'checkpoint-overhead',
      graph,
      workers: overheadWorkers,
      repeats,
      every: 5,
      computeMs: { without: round(plainComputeMs), with: round(withComputeMs), ratio: round(withComputeMs / plainComputeMs) },
      checkpoints: median(checkpointed.map((c) => c.taken)),
      bytesPerCheckpoint: Math.round(median(checkpointed.map((c) => c.bytes / c.taken))),
      msPerCheckpoint: round(median(checkpointed.map((c) => c.ms / c.taken))),
      stepMs: round(stepMs),
      // Steps after the first checkpoint (step 4), without and with checkpoints: a step that
      // itself slows down once a checkpoint was taken shows here, not in msPerCheckpoint.
      laterStepMs: {
        without: round(median(plain.flatMap((p) => p.stepMs.slice(FIRST_CHECKPOINT_STEP + 1)))),
        with: round(median(checkpointed.flatMap((c) => c.laterStepMs))),
      },
      loadMs: round(loadMs),
    }),
  );

  const atStep = 12;
  const crashed = await timedRun(catalog, { ...request, checkpointEvery: 5, crashWorker: { worker: 1, atStep } });
  const recovery = crashed.summary.recoveries[0];
  const before = crashed.reported.find((r) => r.step === atStep - 1)!;
  const after = crashed.reported.find((r) => r.step === atStep)!;
  console.log(
    JSON.stringify({
      bench: 'recovery-cost',
      graph,
      workers: overheadWorkers,
      every: 5,
      crash: { worker: 1, atStep },
      recoveries: crashed.summary.recoveries.length,
      identical: compare(expected!, resultOf(catalog, crashed.summary.jobId)).differing === 0,
      recoveryMs: recovery?.ms === null || recovery === undefined ? null : round(recovery.ms),
      stepsRedone: recovery ? recovery.lostAfterStep - (recovery.resumedAfterStep ?? -1) : null,
      stallMs: round(after.at - before.at),
      stepMs: round(stepMs),
      loadMs: round(loadMs),
      computeMs: { uninterrupted: round(plainComputeMs), crashed: round(crashed.summary.timings.computeMs) },
      wallMs: { uninterrupted: round(plainWallMs), crashed: round(crashed.wallMs) },
    }),
  );
}

const work = mkdtempSync(join(tmpdir(), 'gasworks-bench-ft-'));
const catalog = Catalog.open(join(work, 'data'));
const loadAtStart = loadavg();
try {
  if (sections.has('recovery')) await (placement === 'processes' ? processRecoverySection(catalog, work) : recoverySection(catalog));
  if (sections.has('overhead')) await overheadSection(catalog, work);
  if ((sections.has('overhead') || sections.has('als')) && alsRatings > 0) await alsOverhead(catalog, work);
} finally {
  catalog.close();
  rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'load', cores: availableParallelism(), loadavgStart: loadAtStart.map(round), loadavgEnd: loadavg().map(round) }));
}
