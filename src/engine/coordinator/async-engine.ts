/**
 * The asynchronous engine: no supersteps. Each worker's scheduler (worker/schedulers.ts: fifo,
 * priority, sweep) holds its signalled masters; a worker runs the next one's whole update —
 * gather over its edges reading its neighbours' current values, apply, scatter — and the vertices
 * it signals are scheduled in turn, on whichever worker holds their master (GraphLab's
 * asynchronous engine, Low et al., VLDB 2012, §4; PowerGraph's `async` engine, OSDI 2012, §4.3.2).
 * Updates on several workers keep the chosen consistency model — `vertex`, `edge` or `full` — by
 * the locking protocol of worker/async-runner.ts; on one worker they run one at a time, which
 * keeps every model, and a seeded run is reproducible bit for bit.
 *
 * Programs opt in (`asynchronous: true`): running vertices one at a time in any order must reach
 * the program's answer, which holds for label-correcting programs (shortest paths, components,
 * colouring) but not for programs that count on supersteps (a global stopping rule, every vertex
 * every step, alternating halves as ALS).
 *
 * The coordinator only watches: every `POLL_MS` it asks each worker for its counters, and
 * reports progress as a step every `REPORT_MS`. **Termination** (no vertex scheduled anywhere, no
 * record in flight) is the four-counter rule of Mattern ("Algorithms for distributed termination
 * detection", Distributed Computing 2(3), 1987): two polls in a row in which every worker is idle
 * and has done nothing between them, and the frames sent by all equal the frames processed by all.
 * Between the two polls there is then an instant at which every worker was idle and no frame was
 * on its way — a worker going idle while a peer's frame to it is in flight does not end the run.
 * `--max-updates` and `--timeout` make the workers stop launching (drain) and end the run when
 * the flights in the air have landed.
 *
 * When nothing is scheduled, a program with a stopping rule (`converged`) gets a verification
 * sweep — every master once — and the run ends only if the rule holds over the aggregators after
 * it; so "converged" means what it means under sync.
 */
import { GasError } from '../../errors.js';
import type { AsyncMode, AsyncPoll } from '../worker/async-runner.js';
import type { AnyVertexProgram } from '../program/program.js';
import { aggregateCombiner, coordinatorContext, scalarAggregates } from '../worker/aggregates.js';
import type { GraphFacts } from '../worker/worker-runtime.js';
import type { WorkerEndpoint } from './endpoint.js';
import { throwIfCancelled, type AsyncOutcome, type AsyncSettings, type Engine, type EngineOptions, type EngineOutcome, type StepReport } from './engine.js';

const POLL_MS = 2;
const REPORT_MS = 250;

export const asyncEngine: Engine = {
  name: 'async',
  description: 'asynchronous: signalled vertices run as the scheduler picks them, reading the latest values, under vertex, edge or full consistency',
  checkProgram: checkAsyncProgram,
  keepsMessages: false,
  run: runAsynchronous,
};

export const DEFAULT_ASYNC_SETTINGS: AsyncSettings = {
  scheduler: 'fifo',
  minPriority: 0,
  maxUpdates: Infinity,
  timeoutMs: Infinity,
  consistency: 'edge',
  trace: false,
};

/** Why `program` cannot run asynchronously, or null. */
export function asyncRefusal(program: AnyVertexProgram): string | null {
  if (program.alwaysActive) return 'runs every vertex in every step and stops on a rule over whole steps';
  if (program.needsNeighborSets) return 'builds neighbour sets in steps before it runs';
  if (!program.asynchronous) return 'does not declare `asynchronous: true` (its answer may depend on supersteps)';
  return null;
}

export function checkAsyncProgram(program: AnyVertexProgram): void {
  const reason = asyncRefusal(program);
  if (reason) {
    throw new GasError('GAS_ERR_UNSUPPORTED', `run: --engine async cannot run ${program.name}: it ${reason}; run it with --engine sync`, { option: 'engine' });
  }
}

export async function runAsynchronous(
  workers: readonly WorkerEndpoint[],
  program: AnyVertexProgram,
  facts: GraphFacts,
  options: EngineOptions,
): Promise<EngineOutcome> {
  checkAsyncProgram(program);
  const settings = options.async ?? DEFAULT_ASYNC_SETTINGS;
  const context = coordinatorContext(program, facts);
  const combine = aggregateCombiner(program, context);
  const initial = combine(await Promise.all(workers.map((worker) => worker.start())));
  await Promise.all(workers.map((worker) => worker.asyncStart(settings, initial)));

  // Every loop runs until asyncEnd; the first to fail fails the run.
  let failure: unknown = null;
  const loops = workers.map((worker) =>
    worker.asyncLoop().catch((error: unknown) => {
      failure ??= error;
    }),
  );
  const all = <T>(call: (worker: WorkerEndpoint) => Promise<T>): Promise<T[]> => Promise.all(workers.map(call));
  const setMode = (mode: AsyncMode): Promise<void[]> => all((worker) => worker.asyncMode(mode));

  const began = performance.now();
  const steps: StepReport[] = [];
  let endReason: AsyncOutcome['endReason'] = 'converged';
  let mode: AsyncMode = 'schedule';
  let sweeps = 0;
  let previous: AsyncPoll[] | null = null;
  let reported = { at: began, polls: workers.map(() => emptyPoll(workers.length)), busy: workers.map((worker) => worker.busyMs) };
  const report = (polls: readonly AsyncPoll[], aggregates: Record<string, number>): void => {
    const at = performance.now();
    const ms = at - reported.at;
    const peerBytes = polls.map((poll, w) => poll.linkBytes.map((bytes, peer) => bytes - reported.polls[w]!.linkBytes[peer]!));
    const peerMessages = polls.map((poll, w) => poll.linkMessages.map((count, peer) => count - reported.polls[w]!.linkMessages[peer]!));
    const step: StepReport = {
      iteration: steps.length,
      activeVertices: polls.reduce((total, poll, w) => total + poll.updates - reported.polls[w]!.updates, 0),
      ms,
      messages: peerMessages.flat().reduce((a, b) => a + b, 0),
      bytes: peerBytes.flat().reduce((a, b) => a + b, 0),
      waitMs: workers.map((worker, w) => Math.max(0, ms - (worker.busyMs - reported.busy[w]!))),
      mirrorUpdates: 0,
      aggregates,
      traffic: { peerBytes, peerMessages, controlMessages: 0, controlBytes: null },
    };
    reported = { at, polls: [...polls], busy: workers.map((worker) => worker.busyMs) };
    steps.push(step);
    options.onStep?.(step);
  };

  for (;;) {
    await sleep(POLL_MS);
    if (failure) throw failure;
    const polls = await all((worker) => worker.asyncPoll());
    if (failure) throw failure;
    if (performance.now() - reported.at >= REPORT_MS) report(polls, {});
    if (mode !== 'drain') {
      const updates = polls.reduce((total, poll) => total + poll.updates, 0);
      const reason = updates >= settings.maxUpdates ? 'max-updates' : performance.now() - began >= settings.timeoutMs ? 'timeout' : null;
      // A cancel drains as a limit does (the flights in the air land), then the run is refused a result.
      if (reason || options.signal?.aborted) {
        if (reason) endReason = reason;
        mode = 'drain';
        await setMode(mode);
        previous = null;
        continue;
      }
    }
    const quiet = previous !== null && quiescent(previous, polls);
    previous = polls;
    if (!quiet) continue;
    previous = null;
    if (mode === 'drain' || (mode === 'schedule' && !program.converged)) {
      report(polls, {});
      break;
    }
    if (mode === 'schedule') {
      mode = 'sweep';
      await setMode(mode);
      continue;
    }
    // A sweep has ended: does the program's rule hold over the state it left?
    context.aggregates = combine(await all((worker) => worker.asyncAggregates()));
    context.iteration = sweeps++;
    report(polls, scalarAggregates(context.aggregates));
    if (program.converged!(context)) break;
    mode = 'schedule';
    await setMode(mode);
  }
  await all((worker) => worker.asyncEnd());
  await Promise.all(loops);
  if (failure) throw failure;
  throwIfCancelled(options.signal);
  const finished = await all((worker) => worker.asyncFinish());
  const combined = combine(finished.map((worker) => worker.aggregates));
  if (program.finish) await all((worker) => worker.finish(combined));
  const histogram: number[] = [];
  for (const { histogram: part } of finished) part.forEach((count, bucket) => (histogram[bucket] = (histogram[bucket] ?? 0) + count));
  const seconds = (performance.now() - began) / 1000;
  return {
    iterations: steps.length,
    converged: endReason === 'converged',
    steps,
    aggregates: scalarAggregates(combined),
    async: {
      endReason,
      updates: finished.reduce((total, worker) => total + worker.stats.updates, 0),
      sweeps,
      updatesHistogram: Array.from(histogram, (count) => count ?? 0),
      consistency: settings.consistency,
      seconds,
      workers: finished.map(({ stats }, w) => ({
        updates: stats.updates,
        ms: workers[w]!.busyMs,
        updatesPerSecond: stats.updates / seconds,
        flights: stats.flights,
        lockSets: stats.lockSets,
        lockWaits: stats.lockWaits,
        lockWaitMs: stats.lockWaitMs,
        deferrals: stats.deferrals,
      })),
      links: { bytes: finished.map(({ stats }) => stats.linkBytes), messages: finished.map(({ stats }) => stats.linkMessages) },
      ...(settings.trace && { trace: finished.map((worker) => worker.trace ?? new Float64Array(0)) }),
    },
  };
}

/** Mattern's rule over two polls in a row: every worker idle and unchanged, and every frame sent processed. */
function quiescent(before: readonly AsyncPoll[], after: readonly AsyncPoll[]): boolean {
  let sent = 0;
  let processed = 0;
  for (let w = 0; w < after.length; w++) {
    const a = before[w]!;
    const b = after[w]!;
    if (!a.idle || !b.idle || a.activity !== b.activity || a.sent !== b.sent || a.processed !== b.processed) return false;
    sent += b.sent;
    processed += b.processed;
  }
  return sent === processed;
}

function emptyPoll(numWorkers: number): AsyncPoll {
  const zeros = new Array<number>(numWorkers).fill(0);
  return { updates: 0, idle: false, activity: 0, sent: 0, processed: 0, linkBytes: zeros, linkMessages: zeros };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Refuses, for the engines with steps, a program that is right only asynchronously. */
export function checkStepProgram(program: AnyVertexProgram, engine: string): void {
  if (program.asynchronous === 'only') {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `run: ${program.name} runs only on the asynchronous engine (updated in the same step, adjacent vertices would conflict); use --engine async`,
      { option: 'engine', engine },
    );
  }
}
