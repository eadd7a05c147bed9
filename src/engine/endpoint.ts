/**
 * The coordinator's handle on a worker. The engines drive every worker through these calls and
 * carry their messages; where the worker lives — this thread, a worker thread, another process —
 * is the endpoint's business, not the engine's. The calls themselves are declared once, in
 * worker-calls.ts; an endpoint implements one generic `call` and gets a method per call.
 */
import { callRuntime, WORKER_CALL_NAMES, WORKER_CALLS, type CallArgs, type CallResult, type WorkerCall } from './worker-calls.js';
import type { WorkerRuntime } from './worker-runtime.js';

export { collectMasters } from './collect.js';

/** Every call of the table as an asynchronous method, arguments and result as the table types them. */
export type EndpointCalls = { readonly [M in WorkerCall]: (...args: CallArgs<M>) => Promise<CallResult<M>> };

export interface WorkerEndpoint extends EndpointCalls {
  /** How errors and reports name the worker ("worker 0", "thread 1", "10.0.0.2:7400"). */
  readonly name: string;
  /** The worker's own time on calls so far; the rest of a step it spent waiting. */
  readonly busyMs: number;
}

/**
 * An endpoint from one generic `call`: a method per name of `WORKER_CALLS` forwards to it
 * (installed once on the prototype below, so subclasses may override one, as the channel
 * endpoint does `close`).
 */
export abstract class TableEndpoint implements WorkerEndpoint {
  abstract readonly name: string;
  abstract readonly busyMs: number;
  abstract call<M extends WorkerCall>(method: M, ...args: CallArgs<M>): Promise<CallResult<M>>;
}

// The methods come from the table at runtime; this merge tells the compiler they are there.
export interface TableEndpoint extends EndpointCalls {}

for (const method of WORKER_CALL_NAMES) {
  Object.defineProperty(TableEndpoint.prototype, method, {
    value: function (this: TableEndpoint, ...args: CallArgs<typeof method>) {
      return this.call(method, ...args);
    },
    writable: true,
    configurable: true,
  });
}

/** A worker in this thread: calls go straight to its runtime; compute calls count as busy time. */
export class InProcessEndpoint extends TableEndpoint {
  busyMs = 0;

  constructor(
    private readonly runtime: WorkerRuntime,
    readonly name = `worker ${runtime.plan.worker}`,
  ) {
    super();
  }

  async call<M extends WorkerCall>(method: M, ...args: CallArgs<M>): Promise<CallResult<M>> {
    if (!WORKER_CALLS[method].compute) return callRuntime(this.runtime, method, args);
    const started = performance.now();
    try {
      return callRuntime(this.runtime, method, args);
    } finally {
      this.busyMs += performance.now() - started;
    }
  }
}
