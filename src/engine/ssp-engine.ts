/**
 * The stale-synchronous (SSP) engine: bounded staleness over the same superstep phases as the
 * BSP engine (Ho et al., "More Effective Distributed ML via a Stale Synchronous Parallel
 * Parameter Server", NIPS 2013; Cui et al., ATC 2014). Each worker advances its own clock; a
 * worker may start step t only while t ≤ (slowest worker's clock) + S, and in step t it
 *
 *   gathers with mirror values from step ≥ t − 1 − S (the newest it has),
 *   applies with each peer's newest gather partials, from step ≥ t − S,
 *
 * blocking only when what it has is older than that. With S = 0 the waits are exactly the BSP
 * barriers and the results are the BSP results. The coordinator keeps the newest message of each
 * kind from every worker to every worker, so a fast worker reuses a slow peer's last partials
 * instead of waiting for new ones.
 *
 * Programs run unchanged, but SSP needs an `alwaysActive` program (iterative-convergent
 * methods: PageRank, ALS, LDA): with signal-driven activation a stale partial could stand for a
 * vertex its mirror no longer gathers.
 */
import { GasError } from '../errors.js';
import { scalarAggregates } from './aggregates.js';
import type { WorkerEndpoint } from './endpoint.js';
import { aggregateCombiner, coordinatorContext, startRun, transpose } from './coordinator-context.js';
import type { AnyVertexProgram } from './program.js';
import { recordCount } from './codec.js';
import type { Engine, EngineOptions, EngineOutcome, StepReport } from './engine.js';
import { mirrorRecordWidth } from './sync-engine.js';
import type { GraphFacts, Message } from './worker-runtime.js';

/** `afterStep` is not called: workers run up to S steps apart, so no point lies between two steps. */
export interface SspOptions extends EngineOptions {
  readonly staleness: number;
}

export interface SspResult extends EngineOutcome {
  /** Steps each worker completed (fast workers may be up to S past the last reported step). */
  readonly workerSteps: readonly number[];
  /** The furthest any worker ran ahead of the slowest: max over step starts of t − min clock (≤ S). */
  readonly maxLead: number;
  /** Per worker, total ms it was held by the staleness bound or waiting for peers' messages. */
  readonly blockedMs: readonly number[];
}

interface Slot {
  tag: number;
  message: Message;
}

export const sspEngine: Engine = {
  name: 'ssp',
  description: 'stale-synchronous (SSP): each worker may run up to --staleness steps ahead of the slowest; always-active programs only',
  checkProgram: checkSspProgram,
  run: (workers, program, facts, options) => runStaleSynchronous(workers, program, facts, { ...options, staleness: options.staleness ?? 0 }),
};

export function checkSspProgram(program: AnyVertexProgram): void {
  if (program.alwaysActive !== true || program.collect) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `run: --staleness > 0 needs an always-active program (like pagerank); ${program.name} activates vertices by signals${program.collect ? ' and collects' : ''}, run it with --staleness 0`,
      { option: 'staleness' },
    );
  }
}

export async function runStaleSynchronous(
  workers: readonly WorkerEndpoint[],
  program: AnyVertexProgram,
  facts: GraphFacts,
  options: SspOptions,
): Promise<SspResult> {
  checkSspProgram(program);
  const W = workers.length;
  const S = options.staleness;
  const context = coordinatorContext(program, facts);
  const combine = aggregateCombiner(program, context);

  const started = await startRun(workers, program, combine);
  let latestAggregates = started.aggregates;
  const flags = transpose(started.activated.map((a) => a.outbox));

  // partials[to][from], values[to][from]: the newest message of each kind, with its step.
  const partials: Slot[][] = grid(W);
  const values: Slot[][] = grid(W);
  const delivered: number[][] = Array.from({ length: W }, () => new Array<number>(W).fill(-1));
  const clock = new Array<number>(W).fill(0);
  const blockedMs = new Array<number>(W).fill(0);
  const stepBlocked: number[][] = [];
  const stepAggregates: (number[] | undefined)[][] = [];
  const stepTraffic: { messages: number; bytes: number; mirrorUpdates: number }[] = [];
  const valueWidth = mirrorRecordWidth(program);
  const steps: StepReport[] = [];
  let stopAfter = Infinity;
  let converged = false;
  let maxLead = 0;
  let failure: unknown = null;
  let lastReport = performance.now();

  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  const until = async (worker: number, ready: () => boolean): Promise<void> => {
    if (ready() || failure) return;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!ready() && !failure) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
    blockedMs[worker]! += performance.now() - started;
  };
  const traffic = (t: number, message: Message): void => {
    const entry = (stepTraffic[t] ??= { messages: 0, bytes: 0, mirrorUpdates: 0 });
    if (!message) return;
    entry.messages++;
    entry.bytes += message.byteLength;
  };
  const minClock = (): number => Math.min(...clock);

  /** All workers reported step t: its aggregates are final; decide convergence in step order. */
  const completeSteps = (): void => {
    for (let t = steps.length; t < stopAfter + 1 && stepAggregates[t]?.every((a) => a !== undefined); t++) {
      latestAggregates = combine(stepAggregates[t] as number[][]);
      context.aggregates = latestAggregates;
      context.iteration = t;
      const now = performance.now();
      const report: StepReport = {
        iteration: t,
        activeVertices: facts.numVertices,
        ms: now - lastReport,
        messages: stepTraffic[t]?.messages ?? 0,
        bytes: stepTraffic[t]?.bytes ?? 0,
        mirrorUpdates: stepTraffic[t]?.mirrorUpdates ?? 0,
        waitMs: stepBlocked[t] ?? new Array<number>(W).fill(0),
        aggregates: scalarAggregates(latestAggregates),
      };
      lastReport = now;
      steps.push(report);
      options.onStep?.(report);
      if (program.converged?.(context)) {
        converged = true;
        stopAfter = t;
      }
    }
  };

  const runWorker = async (w: number): Promise<void> => {
    const endpoint = workers[w]!;
    for (let t = 0; t < options.maxIterations; t++) {
      const blockedBefore = blockedMs[w]!;
      await until(w, () => t > stopAfter || t <= minClock() + S);
      if (failure) return;
      if (t > stopAfter) break;
      maxLead = Math.max(maxLead, t - minClock());
      if (t > 0) {
        // Mirror values no older than step t − 1 − S, newest first; only what this worker has not seen.
        await until(w, () => values[w]!.every((slot, from) => from === w || slot.tag >= t - 1 - S));
        if (failure) return;
        const inbox = values[w]!.map((slot, from) => (slot.tag > delivered[w]![from]! ? ((delivered[w]![from] = slot.tag), slot.message) : null));
        await endpoint.scatter(inbox, latestAggregates);
      }
      const outbox = await endpoint.gather(t === 0 ? flags[w]! : [], t);
      outbox.forEach((message, to) => {
        if (to === w) return;
        partials[to]![w] = { tag: t, message };
        traffic(t, message);
      });
      wake();
      await until(w, () => partials[w]!.every((slot, from) => from === w || slot.tag >= t - S));
      if (failure) return;
      const applied = await endpoint.apply(partials[w]!.map((slot) => slot.message));
      applied.outbox.forEach((message, to) => {
        if (to === w) return;
        values[to]![w] = { tag: t, message };
        traffic(t, message);
        if (message) stepTraffic[t]!.mirrorUpdates += recordCount(message as Float64Array, valueWidth);
      });
      (stepAggregates[t] ??= new Array<number[] | undefined>(W).fill(undefined))[w] = applied.aggregates;
      (stepBlocked[t] ??= new Array<number>(W).fill(0))[w] = blockedMs[w]! - blockedBefore;
      clock[w] = t + 1;
      completeSteps();
      wake();
    }
  };

  await Promise.all(
    workers.map((_, w) =>
      runWorker(w).catch((error: unknown) => {
        failure ??= error;
        wake();
      }),
    ),
  );
  if (failure) throw failure;
  return {
    iterations: steps.length,
    converged,
    steps,
    aggregates: scalarAggregates(latestAggregates),
    workerSteps: clock,
    maxLead,
    blockedMs,
  };
}

function grid(n: number): Slot[][] {
  return Array.from({ length: n }, () => Array.from({ length: n }, () => ({ tag: -1, message: null })));
}
