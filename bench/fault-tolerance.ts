/**
 * Fault tolerance of the sync engine on worker threads (issue 18): does a run that loses a worker
 * thread end with the result of a run that lost none, and what do checkpoints and a recovery cost.
 *
 *   npm run build && node --import tsx bench/fault-tolerance.ts [--sections recovery,overhead] [--runs 20] [--seed 1]
 *     [--every 3] [--scale 22] [--repeats 3] [--overhead-workers 2]
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
 * A `load` line gives os.loadavg() at the start and at the end (the machine may be shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromDist, importKronecker, median, round, seededRandom } from './lib.js';
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
  },
});
const sections = new Set(values.sections.split(','));
const runs = Number(values.runs);
const seed = Number(values.seed);
const every = Number(values.every);
const scale = Number(values.scale);
const repeats = Number(values.repeats);
const overheadWorkers = Number(values['overhead-workers']);

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
  for (const { name, data, importOptions, run } of CASES) {
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
  if (sections.has('recovery')) await recoverySection(catalog);
  if (sections.has('overhead')) await overheadSection(catalog, work);
} finally {
  catalog.close();
  rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'load', cores: availableParallelism(), loadavgStart: loadAtStart.map(round), loadavgEnd: loadavg().map(round) }));
}
