/**
 * The coordinator ⇄ worker calls, declared once: `WorkerCalls` types each call (name,
 * arguments, result), `WORKER_CALLS` lists the names at runtime with what hosts must know about
 * each, and `NODE_HANDLERS` answers each call from a worker's node (worker-node.ts). Everything
 * else is derived: the coordinator's `WorkerEndpoint` (every call, asynchronous), the in-process
 * endpoint, the channel endpoint and the worker host's dispatch (src/cluster), which adds the
 * calls only hosted workers have (`hasShard`, `setup`, `joinMesh`: cluster/protocol.ts).
 *
 * Exchange messages are not arguments or results of any call: they travel on the mesh
 * (mesh.ts). A new call is one line in each of the three tables; the compiler finds the rest.
 */
import type { CollectedColumn } from './collect.js';
import type { AggregateValues } from '../program/program.js';
import type { SentTraffic, WorkerNode } from './worker-node.js';
import type { CheckpointPartCheck, CheckpointPartInfo } from './checkpoint-part.js';
import type { AsyncMode, AsyncPoll, AsyncRunSettings, AsyncWorkerStats } from './async-runner.js';

/** The calls, as a worker's node answers them (one at a time, in the order sent, except `close`). */
export interface WorkerCalls {
  /** Neighbour sets if needed, initial state on every replica; returns the worker's aggregator partials. */
  start(): number[];
  /** The first activation with the combined initial aggregates; returns the worker's active masters. */
  activate(aggregates: AggregateValues): { activeMasters: number };
  /** BSP step t up to apply; returns aggregator partials, value records sent to mirrors and traffic. */
  gatherApply(iteration: number): { aggregates: number[]; mirrorUpdates: number; sent: SentTraffic };
  /** BSP step t from scatter with the step's combined aggregates; returns the active masters of step t + 1. */
  scatterActivate(iteration: number, aggregates: AggregateValues): { activeMasters: number; sent: SentTraffic };
  /** BSP, between steps: this worker's part of a checkpoint after step `step`, written to `file` (checkpoint-part.ts). */
  checkpoint(file: string, step: number): CheckpointPartInfo;
  /** BSP, after `start` instead of `activate`: state from a checkpoint part; returns the step to run next and its active masters. */
  restore(file: string, part: CheckpointPartCheck, withAggregates: boolean): { nextStep: number; activeMasters: number; aggregates: AggregateValues | null };
  /** One SSP step of this worker (see ssp-engine.ts); `stopped` when it lies past the run's end. */
  sspStep(
    iteration: number,
    staleness: number,
  ): { stopped: boolean; aggregates: number[]; mirrorUpdates: number; blockedMs: number; lead: number; sent: SentTraffic };
  /** SSP: the run ends after step `iteration`; a step past it, running or waiting, stops. */
  sspStop(iteration: number): void;
  /** Asynchronous runs: the runner with what init signalled and the initial aggregates (full consistency: extra locks exchanged). */
  asyncStart(settings: AsyncRunSettings, aggregates: AggregateValues): void;
  /** Asynchronous runs: the worker's loop, until `asyncEnd`. */
  asyncLoop(): void;
  /** Asynchronous runs: the loop's counters (for termination and progress). */
  asyncPoll(): AsyncPoll;
  /** Asynchronous runs: launch from the scheduler, sweep every master once, or launch nothing (drain). */
  asyncMode(mode: AsyncMode): void;
  /** Asynchronous runs, every worker idle: the aggregator partials now. */
  asyncAggregates(): number[];
  /** Asynchronous runs, every worker idle: the loop ends. */
  asyncEnd(): void;
  /** Asynchronous runs: final aggregator partials, the histogram of updates per vertex, the worker's figures and trace. */
  asyncFinish(): { aggregates: number[]; histogram: number[]; stats: AsyncWorkerStats; trace: Float64Array | null };
  /** After the run: the program's `finish` on every master, with the final aggregates. */
  finish(aggregates: AggregateValues): void;
  /** The master replicas' values of a vertex column: global ids and `width` values each. */
  collect(column: string): CollectedColumn;
  /** The worker drops the job; a call waiting for peers fails. */
  close(): void;
  /** Answered at once between the worker's computations: a worker that does not answer is stuck (the step watchdog, coordinator-context.ts). */
  ping(): boolean;
}

export type WorkerCall = keyof WorkerCalls;
export type CallArgs<M extends WorkerCall> = Parameters<WorkerCalls[M]>;
export type CallResult<M extends WorkerCall> = ReturnType<WorkerCalls[M]>;

export interface CallTraits {
  /**
   * Answered at once, not after the call in progress: `close` and `sspStop` must reach a worker
   * whose current call waits for a peer that will never send (a dead peer, a failed job, a peer
   * that stopped at the run's end); the asynchronous run's polls, modes and end reach a worker
   * whose call in progress is its loop.
   */
  readonly interrupts: boolean;
}

/** Every call by name (the runtime list: a name missing here, or extra, does not compile). */
export const WORKER_CALLS: { readonly [M in WorkerCall]: CallTraits } = {
  start: { interrupts: false },
  activate: { interrupts: false },
  gatherApply: { interrupts: false },
  scatterActivate: { interrupts: false },
  checkpoint: { interrupts: false },
  restore: { interrupts: false },
  sspStep: { interrupts: false },
  sspStop: { interrupts: true },
  asyncStart: { interrupts: false },
  asyncLoop: { interrupts: false },
  asyncPoll: { interrupts: true },
  asyncMode: { interrupts: true },
  asyncAggregates: { interrupts: true },
  asyncEnd: { interrupts: true },
  asyncFinish: { interrupts: false },
  finish: { interrupts: false },
  collect: { interrupts: false },
  close: { interrupts: true },
  ping: { interrupts: true },
};

export const WORKER_CALL_NAMES = Object.keys(WORKER_CALLS) as WorkerCall[];

export function isWorkerCall(name: string): name is WorkerCall {
  return Object.hasOwn(WORKER_CALLS, name);
}

type Handler<M extends WorkerCall> = (node: WorkerNode, ...args: CallArgs<M>) => CallResult<M> | Promise<CallResult<M>>;

/** How a worker answers each call from its node, wherever it lives. */
export const NODE_HANDLERS: { readonly [M in WorkerCall]: Handler<M> } = {
  start: (node) => node.start(),
  activate: (node, aggregates) => node.activate(aggregates),
  gatherApply: (node, iteration) => node.gatherApply(iteration),
  scatterActivate: (node, iteration, aggregates) => node.scatterActivate(iteration, aggregates),
  checkpoint: (node, file, step) => node.checkpoint(file, step),
  restore: (node, file, part, withAggregates) => node.restore(file, part, withAggregates),
  sspStep: (node, iteration, staleness) => node.sspStep(iteration, staleness),
  sspStop: (node, iteration) => node.stopSsp(iteration),
  asyncStart: (node, settings, aggregates) => node.asyncStart(settings, aggregates),
  asyncLoop: (node) => node.asyncLoop(),
  asyncPoll: (node) => node.asyncPoll(),
  asyncMode: (node, mode) => node.asyncMode(mode),
  asyncAggregates: (node) => node.asyncAggregates(),
  asyncEnd: (node) => node.asyncEnd(),
  asyncFinish: (node) => node.asyncFinish(),
  finish: (node, aggregates) => node.finish(aggregates),
  collect: (node, column) => node.collect(column),
  close: (node) => node.close(),
  ping: () => true,
};

/** Runs call `method` on `node` (the one place the table's per-call types meet a call by name). */
export async function callNode<M extends WorkerCall>(node: WorkerNode, method: M, args: CallArgs<M>): Promise<CallResult<M>> {
  const handler = NODE_HANDLERS[method] as Handler<M>;
  return handler(node, ...args);
}
