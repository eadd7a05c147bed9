/**
 * What every engine is: `run` drives set-up workers through a vertex program's steps and reports
 * them. Engines are registered by name (engines.ts) — `sync` (BSP), `ssp` (bounded staleness),
 * later `async` — and the same program runs unchanged on each.
 */
import { GasError } from '../../errors.js';
import type { Consistency } from '../worker/async-locks.js';
import type { WorkerEndpoint } from './endpoint.js';
import type { AggregateValues, AnyVertexProgram } from '../program/program.js';
import type { GraphFacts } from '../worker/worker-runtime.js';

/** One step, as an engine reports it after every worker has finished it. */
export interface StepReport {
  readonly iteration: number;
  readonly activeVertices: number;
  readonly ms: number;
  /** Non-empty exchange messages workers sent each other this step, and their payload bytes (`traffic` per link). */
  readonly messages: number;
  readonly bytes: number;
  /** Per worker: the part of the step it spent waiting for others (barriers, transport), not computing. */
  readonly waitMs: readonly number[];
  /**
   * Vertex records masters sent to their mirrors after apply — the communication the vertex cut
   * causes: with every vertex active, Σ (replicas − 1) over vertices. (SSP steps count the same.)
   */
  readonly mirrorUpdates: number;
  readonly aggregates: Readonly<Record<string, number>>;
  /** Where the step's bytes went: worker → worker over the mesh, and the coordinator's control links. */
  readonly traffic: StepTraffic;
}

/** A step's traffic per link. */
export interface StepTraffic {
  /** Payload bytes worker `from` sent worker `to` over the mesh: `peerBytes[from][to]`. */
  readonly peerBytes: readonly (readonly number[])[];
  /** Non-empty messages worker `from` sent worker `to`. */
  readonly peerMessages: readonly (readonly number[])[];
  /** Messages between the coordinator and the workers (each call is a request and a response). */
  readonly controlMessages: number;
  /** Bytes on the coordinator's links, both ways; null where the transport does not count them (threads, this thread). */
  readonly controlBytes: number | null;
}

export interface EngineOptions {
  readonly maxIterations: number;
  /** The staleness bound S for engines that have one (`ssp`: S ≥ 1); engines without one ignore it. */
  readonly staleness?: number;
  /** The asynchronous engine's settings; other engines ignore them. */
  readonly async?: AsyncSettings;
  /** Called after every step (for progress reporting). */
  readonly onStep?: (step: StepReport) => void;
  /**
   * Awaited after a step, before any worker starts the next (the coordinator's evaluations: see
   * `AlgorithmDefinition.evaluation`, which collect values from the workers). Only engines with
   * such a point call it: `sync` does; `ssp`, whose workers run up to S steps apart, does not.
   */
  readonly afterStep?: (step: StepReport) => Promise<void>;
  /**
   * Aborted: the run stops at its next step boundary (sync: before the next step; SSP: no worker
   * starts another step; async: at the next poll, once the updates in flight have landed) and
   * rejects with GAS_ERR_CANCELLED. The workers are the caller's to close, as after any error.
   */
  readonly signal?: AbortSignal;
  /** Checkpoints between steps (engines that take them: `sync`; the others refuse a policy in `checkProgram`'s stead, see engines.ts). */
  readonly checkpoint?: CheckpointPolicy;
  /** Start from a checkpoint instead of step 0 (`sync`). */
  readonly resume?: ResumePoint;
  /**
   * The step watchdog (`sync`, `ssp`): a worker whose step call has run this long is pinged, and
   * one that does not answer within as long again is stuck — the run fails naming it. Default:
   * the longer of 60 s and 4 × the longest step so far.
   */
  readonly stepTimeoutMs?: number;
  /** `sync`, `ssp`: stop at the first step boundary after this long (ms) from the first step (the async engine's is in `async`). */
  readonly timeoutMs?: number;
}

/**
 * When and how a run checkpoints. The engine decides only *when* — at a step boundary, every
 * worker idle — and the policy does the rest (api/checkpoints.ts: where the parts go, the
 * manifest in the catalog, pruning).
 */
export interface CheckpointPolicy {
  /** Asked after each step (`stepsDone` in all, those before a resume included) unless the run ends there: a checkpoint is due. */
  due(stepsDone: number): boolean;
  /** Asked at every step boundary: a checkpoint is wanted now regardless of `every` (a job being interrupted). */
  wanted(): boolean;
  /** Writes every worker's part after step `step` and records the checkpoint; the run waits for it. */
  save(step: number, workers: readonly WorkerEndpoint[], steps: readonly StepReport[]): Promise<void>;
}

/** Where a resumed run starts: a verified checkpoint, restored by `restore` on started workers. */
export interface ResumePoint {
  /** The reports of the steps before the checkpoint (the run's history goes on from them). */
  readonly steps: readonly StepReport[];
  /** Restores every worker (after `start`); returns the step to run next, its active vertices and the aggregates then. */
  restore(workers: readonly WorkerEndpoint[]): Promise<{ nextStep: number; activeVertices: number; aggregates: AggregateValues }>;
}

/** GAS_ERR_CANCELLED if `signal` was aborted: the check every engine makes at a step boundary. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GasError('GAS_ERR_CANCELLED', 'run: the job was cancelled; it stopped at a step boundary and left no result', {});
}

export interface AsyncSettings {
  /** `fifo`, `priority` or `sweep` (schedulers.ts). */
  readonly scheduler: string;
  /** The priority scheduler drops signals below this. */
  readonly minPriority: number;
  /** Stop after this many vertex updates. */
  readonly maxUpdates: number;
  /** Stop after this long (ms). */
  readonly timeoutMs: number;
  /** `vertex`, `edge` or `full` (worker/async-locks.ts). */
  readonly consistency: Consistency;
  /** Test instrumentation: every worker records the pieces of every update it ran (the consistency checker). */
  readonly trace: boolean;
}

/** What an asynchronous run did. */
export interface AsyncOutcome {
  /** Why it ended: nothing scheduled any more, or the program's stopping rule held at a sweep (`converged`); `max-updates`; `timeout`. */
  readonly endReason: 'converged' | 'max-updates' | 'timeout';
  readonly updates: number;
  /** Verification sweeps run (programs with a stopping rule; each updates every vertex once). */
  readonly sweeps: number;
  /** Vertices by how often they ran: `[0]` never, `[k]` 2^(k−1) … 2^k − 1 times. */
  readonly updatesHistogram: readonly number[];
  /** The consistency model the run kept. */
  readonly consistency: string;
  /** Wall time of the run, from the first update to the last (s). */
  readonly seconds: number;
  /** Per worker: updates run, time spent computing, updates/s over the run, flights (updates whose scope spans workers), lock sets taken on it, those that waited and their total wait, vertices deferred. */
  readonly workers: readonly AsyncWorkerFigures[];
  /** Bytes and frames each worker sent each other (`[from][to]`). */
  readonly links: { readonly bytes: readonly (readonly number[])[]; readonly messages: readonly (readonly number[])[] };
  /** Tracing only: per worker, `[gid, k, start ns, end ns]` of every piece of an update it ran (the k-th update of gid). */
  readonly trace?: readonly Float64Array[];
}

export interface AsyncWorkerFigures {
  readonly updates: number;
  readonly ms: number;
  readonly updatesPerSecond: number;
  readonly flights: number;
  readonly lockSets: number;
  readonly lockWaits: number;
  readonly lockWaitMs: number;
  readonly deferrals: number;
}

/** What a run reports, whichever engine ran it. */
export interface EngineOutcome {
  /** Steps reported: `steps.length`. */
  readonly iterations: number;
  /** The program's `converged` held, or (engines that track activity) no vertex was active. */
  readonly converged: boolean;
  readonly steps: readonly StepReport[];
  /** The last step's aggregates (scalars only). */
  readonly aggregates: Readonly<Record<string, number>>;
  /** Engines whose workers keep their own clocks (`ssp`): steps each worker completed, which may run past the last reported step. */
  readonly workerSteps?: readonly number[];
  /** `ssp`: the furthest any worker ran ahead of the slowest (≤ S). */
  readonly maxLead?: number;
  /** `ssp`: per worker, total ms it was held by the staleness bound or waiting for peers' messages. */
  readonly blockedMs?: readonly number[];
  /** `sync`, `ssp`: the run stopped at `timeoutMs`, not converged. */
  readonly timedOut?: boolean;
  /** `async`: updates, the histogram of updates per vertex, and why it ended (its steps are progress reports). */
  readonly async?: AsyncOutcome;
}

/**
 * An execution engine. The contract every engine keeps (and the async engine will keep):
 *
 * - **Before `run`**: every worker is set up with its shard and the program; none has been
 *   called. `run` starts them (neighbour sets if the program needs them, `init`, the first
 *   aggregates, the first activation) and never closes them: the caller does, after collecting.
 * - **After each step** t (reported as `steps[t]`, in order, `iteration` = t): the step's
 *   aggregates are combined over all workers and final; `onStep` has been called once with its
 *   report, and `converged` asked of the program with these aggregates, in step order.
 * - **Termination**: at most `maxIterations` steps; fewer when the program's `converged` holds
 *   (`converged: true`) or, for engines that track activity, no vertex is active. When `run`
 *   resolves no worker call is in flight and every master holds its vertex's final state, so
 *   `collect` reads the result.
 * - **Errors**: a worker call that fails (the worker's error, or `GAS_ERR_WORKER` naming a dead
 *   worker) rejects `run` with that error; the run is over, the workers are the caller's to
 *   close. A program the engine cannot run is refused by `checkProgram` with a user-facing
 *   error before any worker starts.
 */
export interface Engine {
  /** The name users choose it by (`sync`, `ssp`, `async`). */
  readonly name: string;
  /** One line for help texts. */
  readonly description: string;
  /** Throws if this engine cannot run `program` (called before workers start; `run` may check again). */
  checkProgram(program: AnyVertexProgram): void;
  /**
   * Whether a worker keeps peers' messages past the step they were sent in (SSP reuses a slow
   * peer's last partials): senders must then pack every message into a buffer of its own instead
   * of reusing one per peer from step to step (message-slots.ts).
   */
  readonly keepsMessages: boolean;
  run(workers: readonly WorkerEndpoint[], program: AnyVertexProgram, facts: GraphFacts, options: EngineOptions): Promise<EngineOutcome>;
}
