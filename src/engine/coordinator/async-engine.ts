/**
 * The asynchronous engine: no supersteps. A scheduler (worker/schedulers.ts: fifo, priority,
 * sweep) holds the signalled vertices; the next one runs its whole update — gather over its
 * edges reading its neighbours' current values, apply, scatter — and the vertices it signals are
 * scheduled in turn, until nothing is scheduled (GraphLab's asynchronous engine, Low et al.,
 * VLDB 2012, §4; PowerGraph's `async` engine, OSDI 2012, §4.3.2).
 *
 * This version runs on **one worker**: updates run one at a time, so every consistency model
 * holds trivially (each update sees all its neighbours' latest values and nothing runs beside
 * it). Several workers need a distributed locking protocol over the vertex cut, which is not built
 * yet; a run on more than one worker is refused with that reason.
 *
 * Programs opt in (`asynchronous: true`): running vertices one at a time in any order must reach
 * the program's answer, which holds for label-correcting programs (shortest paths, components,
 * colouring) but not for programs that count on supersteps (a global stopping rule, every vertex
 * every step, alternating halves as ALS).
 *
 * The coordinator drives the worker in slices (at most `SLICE_UPDATES` updates or `SLICE_MS`),
 * each reported as a step: progress for the user, and where `--max-updates` and `--timeout` are
 * checked. When nothing is scheduled, a program with a stopping rule (`converged`) gets a
 * verification sweep — every vertex once, in order, then its aggregators — and the run ends only
 * if the rule holds; so "converged" means what it means under sync.
 */
import { GasError } from '../../errors.js';
import type { AnyVertexProgram } from '../program/program.js';
import { aggregateCombiner, coordinatorContext, scalarAggregates } from '../worker/aggregates.js';
import type { GraphFacts } from '../worker/worker-runtime.js';
import type { WorkerEndpoint } from './endpoint.js';
import { checkWorkerCount, type AsyncOutcome, type Engine, type EngineOptions, type EngineOutcome, type StepReport } from './engine.js';

const SLICE_UPDATES = 1 << 20;
const SLICE_MS = 250;

export const asyncEngine: Engine = {
  name: 'async',
  description: 'asynchronous: signalled vertices run one at a time as the scheduler picks them, reading the latest values (one worker so far)',
  checkProgram: checkAsyncProgram,
  keepsMessages: false,
  workerLimit: { max: 1, why: 'the lock protocol that keeps consistency across workers is not built yet' },
  run: runAsynchronous,
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
  checkWorkerCount(asyncEngine, workers.length, 'workers');
  const settings = options.async ?? { scheduler: 'fifo', minPriority: 0, maxUpdates: Number.MAX_SAFE_INTEGER, timeoutMs: Infinity };
  const worker = workers[0]!;
  const context = coordinatorContext(program, facts);
  const combine = aggregateCombiner(program, context);
  const initial = combine([await worker.start()]);
  let { scheduled } = await worker.asyncStart(settings.scheduler, settings.minPriority, initial);

  const began = performance.now();
  const steps: StepReport[] = [];
  let updates = 0;
  let sweeps = 0;
  let endReason: AsyncOutcome['endReason'] = 'converged';
  const report = (ms: number, busyBefore: number, ran: number, aggregates: Record<string, number>): void => {
    const step: StepReport = {
      iteration: steps.length,
      activeVertices: ran,
      ms,
      messages: 0,
      bytes: 0,
      waitMs: [Math.max(0, ms - (worker.busyMs - busyBefore))],
      mirrorUpdates: 0,
      aggregates,
      traffic: { peerBytes: [[0]], peerMessages: [[0]], controlMessages: 2, controlBytes: worker.controlBytes === null ? null : 0 },
    };
    steps.push(step);
    options.onStep?.(step);
  };
  for (;;) {
    if (updates >= settings.maxUpdates) {
      endReason = 'max-updates';
      break;
    }
    const elapsed = performance.now() - began;
    if (elapsed >= settings.timeoutMs) {
      endReason = 'timeout';
      break;
    }
    const busyBefore = worker.busyMs;
    const started = performance.now();
    if (scheduled === 0) {
      // Nothing scheduled. A program with a stopping rule is asked, after a sweep that updates
      // every vertex once, whether its rule holds (PageRank: the sweep's total change, as sync's
      // rule reads a step's); if not, the run goes on from what the sweep signalled.
      if (!program.converged) break;
      const sweep = await worker.asyncSweep();
      updates += sweep.updates;
      context.aggregates = combine([sweep.aggregates]);
      context.iteration = sweeps++;
      report(performance.now() - started, busyBefore, sweep.updates, scalarAggregates(context.aggregates));
      if (program.converged(context)) break;
      // Not yet: on from what the sweep signalled (if it signalled nothing, the next round sweeps again).
      scheduled = sweep.scheduled;
      continue;
    }
    const slice = await worker.asyncRun(Math.min(SLICE_UPDATES, settings.maxUpdates - updates), Math.min(SLICE_MS, settings.timeoutMs - elapsed));
    updates += slice.updates;
    report(performance.now() - started, busyBefore, slice.updates, {});
    scheduled = slice.scheduled;
  }
  const finished = await worker.asyncFinish();
  const combined = combine([finished.aggregates]);
  if (program.finish) await worker.finish(combined);
  const aggregates = scalarAggregates(combined);
  return {
    iterations: steps.length,
    converged: endReason === 'converged',
    steps,
    aggregates,
    async: { endReason, updates, sweeps, updatesHistogram: finished.histogram, workers: [{ updates, ms: worker.busyMs }] },
  };
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
