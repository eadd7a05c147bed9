/**
 * The coordinator ⇄ worker calls, declared once: `WorkerCalls` types each call (name,
 * arguments, result), `WORKER_CALLS` lists the names at runtime with what endpoints must know
 * about each, and `RUNTIME_HANDLERS` answers each call from a worker's runtime. Everything else
 * is derived: the coordinator's `WorkerEndpoint` (every call, asynchronous), the in-process
 * endpoint, the channel endpoint and the worker host's dispatch (src/cluster), which adds the
 * two calls only remote and thread workers have (`hasShard`, `setup`: cluster/protocol.ts).
 *
 * A new call is one line in each of the three tables; the compiler finds the rest.
 */
import { collectMasters, type CollectedColumn } from './collect.js';
import type { AggregateValues } from './program.js';
import type { Mailbox, Message, WorkerRuntime } from './worker-runtime.js';

/** The calls, as the worker runs them (synchronously, one at a time, in the order sent). */
export interface WorkerCalls {
  /** Initial state on every replica; returns the worker's aggregator partials. */
  init(): number[];
  /** The combined aggregates, for the programs' contexts. */
  setAggregates(aggregates: AggregateValues): void;
  activate(inbox: Mailbox, iteration: number): { outbox: Message[]; activeMasters: number };
  gather(inbox: Mailbox, iteration: number): Message[];
  apply(inbox: Mailbox): { outbox: Message[]; aggregates: number[] };
  scatter(inbox: Mailbox, aggregates: AggregateValues): Message[];
  /** Neighbour-set construction (see neighbor-sets.ts), three exchanges before step 0. */
  neighborsToMasters(): Message[];
  neighborsFromMirrors(inbox: Mailbox): Message[];
  neighborsInstall(inbox: Mailbox): void;
  /** The master replicas' values of a vertex column: global ids and `width` values each. */
  collect(column: string): CollectedColumn;
  /** The worker drops the job. */
  close(): void;
}

export type WorkerCall = keyof WorkerCalls;
export type CallArgs<M extends WorkerCall> = Parameters<WorkerCalls[M]>;
export type CallResult<M extends WorkerCall> = ReturnType<WorkerCalls[M]>;

export interface CallTraits {
  /**
   * A step of the computation: an in-process endpoint counts its time as the worker's busy time
   * (a channel endpoint counts whatever time the worker reports for every call).
   */
  readonly compute: boolean;
}

/** Every call by name (the runtime list: a name missing here, or extra, does not compile). */
export const WORKER_CALLS: { readonly [M in WorkerCall]: CallTraits } = {
  init: { compute: true },
  setAggregates: { compute: false },
  activate: { compute: true },
  gather: { compute: true },
  apply: { compute: true },
  scatter: { compute: true },
  neighborsToMasters: { compute: false },
  neighborsFromMirrors: { compute: false },
  neighborsInstall: { compute: false },
  collect: { compute: false },
  close: { compute: false },
};

export const WORKER_CALL_NAMES = Object.keys(WORKER_CALLS) as WorkerCall[];

export function isWorkerCall(name: string): name is WorkerCall {
  return Object.hasOwn(WORKER_CALLS, name);
}

/** How a worker answers each call from its runtime, wherever it lives. `close` has nothing to drop here: hosts drop the runtime. */
export const RUNTIME_HANDLERS: { readonly [M in WorkerCall]: (runtime: WorkerRuntime, ...args: CallArgs<M>) => CallResult<M> } = {
  init: (runtime) => runtime.init(),
  setAggregates: (runtime, aggregates) => runtime.setAggregates(aggregates),
  activate: (runtime, inbox, iteration) => runtime.activate(inbox, iteration),
  gather: (runtime, inbox, iteration) => runtime.gather(inbox, iteration),
  apply: (runtime, inbox) => runtime.apply(inbox),
  scatter: (runtime, inbox, aggregates) => runtime.scatter(inbox, aggregates),
  neighborsToMasters: (runtime) => runtime.neighborsToMasters(),
  neighborsFromMirrors: (runtime, inbox) => runtime.neighborsFromMirrors(inbox),
  neighborsInstall: (runtime, inbox) => runtime.neighborsInstall(inbox),
  collect: (runtime, column) => collectMasters(runtime, column),
  close: () => undefined,
};

/** Runs call `method` on `runtime` (the one place the table's per-call types meet a call by name). */
export function callRuntime<M extends WorkerCall>(runtime: WorkerRuntime, method: M, args: CallArgs<M>): CallResult<M> {
  const handler = RUNTIME_HANDLERS[method] as (runtime: WorkerRuntime, ...args: CallArgs<M>) => CallResult<M>;
  return handler(runtime, ...args);
}
