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
 * barriers and the results are the BSP results. Each worker keeps the newest message of each
 * kind from each peer, as the mesh delivers them (worker-node.ts `sspStep`), so a fast worker
 * reuses a slow peer's last partials instead of waiting for new ones. The clocks travel peer to
 * peer as well: a worker sends its clock to every peer after each step and starts step t only
 * once every peer's clock is t − S or more. The coordinator asks each worker for its next step as
 * soon as it has reported the last, combines each step's aggregates once every worker has
 * reported it, and when the program converges at step T tells the workers to stop after T (a
 * worker already past T, waiting for peers that stop, returns at once).
 *
 * Programs run unchanged, but SSP needs an `alwaysActive` program (iterative-convergent
 * methods: PageRank, ALS, LDA): with signal-driven activation a stale partial could stand for a
 * vertex its mirror no longer gathers.
 */
import { GasError } from '../../errors.js';
import { scalarAggregates } from '../worker/aggregates.js';
import type { WorkerEndpoint } from './endpoint.js';
import { aggregateCombiner, coordinatorContext } from '../worker/aggregates.js';
import { startRun, TrafficLedger } from './coordinator-context.js';
import type { AnyVertexProgram } from '../program/program.js';
import { throwIfCancelled, type Engine, type EngineOptions, type EngineOutcome, type StepReport } from './engine.js';
import type { GraphFacts } from '../worker/worker-runtime.js';

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

export const sspEngine: Engine = {
  name: 'ssp',
  description: 'stale-synchronous (SSP): each worker may run up to --staleness steps ahead of the slowest; always-active programs only',
  checkProgram: checkSspProgram,
  keepsMessages: true,
  run: (workers, program, facts, options) => runStaleSynchronous(workers, program, facts, { ...options, staleness: options.staleness ?? 0 }),
};

export function checkSspProgram(program: AnyVertexProgram): void {
  if (program.messages) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `run: --staleness > 0 cannot run ${program.name}: it sends messages, which are read at the next step boundary and SSP has none shared by all workers; run it with --staleness 0`,
      { option: 'staleness' },
    );
  }
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
  const ledger = new TrafficLedger(workers, options.stepTimeoutMs);

  const started = await startRun(workers, combine);
  let latestAggregates = started.aggregates;

  const clock = new Array<number>(W).fill(0);
  const blockedMs = new Array<number>(W).fill(0);
  const stepBlocked: number[][] = [];
  const stepAggregates: (number[] | undefined)[][] = [];
  const stepMirrorUpdates: number[] = [];
  const steps: StepReport[] = [];
  let stopAfter = Infinity;
  let converged = false;
  let timedOut = false;
  const deadline = performance.now() + (options.timeoutMs ?? Infinity);
  let maxLead = 0;
  let failure: unknown = null;
  let lastReport = performance.now();

  let failed: () => void = () => undefined;
  const failedRun = new Promise<void>((resolve) => (failed = resolve));
  const stops: Promise<unknown>[] = [];

  /** All workers reported step t: its aggregates are final; decide convergence in step order. */
  const completeSteps = (): void => {
    for (let t = steps.length; t < stopAfter + 1 && stepAggregates[t]?.every((a) => a !== undefined); t++) {
      latestAggregates = combine(stepAggregates[t] as number[][]);
      context.aggregates = latestAggregates;
      context.iteration = t;
      const now = performance.now();
      const { messages, bytes, ...traffic } = ledger.report(t);
      const report: StepReport = {
        iteration: t,
        activeVertices: facts.numVertices,
        ms: now - lastReport,
        messages,
        bytes,
        mirrorUpdates: stepMirrorUpdates[t] ?? 0,
        waitMs: stepBlocked[t] ?? new Array<number>(W).fill(0),
        aggregates: scalarAggregates(latestAggregates),
        traffic,
      };
      lastReport = now;
      steps.push(report);
      options.onStep?.(report);
      const converges = program.converged?.(context) ?? false;
      if (!converges && stopAfter === Infinity && now >= deadline) timedOut = true;
      if (converges || timedOut) {
        converged = converges;
        stopAfter = t;
        // Workers already past t (up to S ahead) may be waiting for peers that stop now.
        for (const worker of workers) stops.push(worker.sspStop(t).catch(() => undefined));
      }
    }
  };

  const runWorker = async (w: number): Promise<void> => {
    for (let t = 0; t < options.maxIterations && t <= stopAfter && !failure; t++) {
      throwIfCancelled(options.signal);
      // The clock bound (t within S of the slowest) is kept by the workers, peer to peer.
      const step = await ledger.record(t, w, (endpoint) => endpoint.sspStep(t, S));
      if (step.stopped) break;
      blockedMs[w]! += step.blockedMs;
      maxLead = Math.max(maxLead, step.lead);
      stepMirrorUpdates[t] = (stepMirrorUpdates[t] ?? 0) + step.mirrorUpdates;
      (stepAggregates[t] ??= new Array<number[] | undefined>(W).fill(undefined))[w] = step.aggregates;
      (stepBlocked[t] ??= new Array<number>(W).fill(0))[w] = step.blockedMs;
      clock[w] = t + 1;
      completeSteps();
    }
  };

  // A worker's call may wait on the mesh for a peer that has failed: the run ends at the first
  // failure without waiting for the other workers' calls (the caller closes them).
  await Promise.race([
    Promise.all(
      workers.map((_, w) =>
        runWorker(w).catch((error: unknown) => {
          failure ??= error;
          failed();
        }),
      ),
    ),
    failedRun,
  ]);
  if (failure) throw failure;
  await Promise.all(stops);
  if (program.finish) await Promise.all(workers.map((w) => w.finish(latestAggregates)));
  return {
    iterations: steps.length,
    converged,
    steps,
    aggregates: scalarAggregates(latestAggregates),
    workerSteps: clock,
    maxLead,
    blockedMs,
    ...(timedOut ? { timedOut: true } : {}),
  };
}
