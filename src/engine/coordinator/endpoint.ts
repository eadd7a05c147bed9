/**
 * The coordinator's handle on a worker. The engines drive every worker through these calls and
 * carry their messages; where the worker lives — this thread, a worker thread, another process —
 * is the endpoint's business, not the engine's. The calls themselves are declared once, in
 * worker-calls.ts; an endpoint implements one generic `call` and gets a method per call.
 */
import { callNode, WORKER_CALL_NAMES, type CallArgs, type CallResult, type WorkerCall } from '../worker/worker-calls.js';
import type { WorkerNode } from '../worker/worker-node.js';

/** Every call of the table as an asynchronous method, arguments and result as the table types them. */
export type EndpointCalls = { readonly [M in WorkerCall]: (...args: CallArgs<M>) => Promise<CallResult<M>> };

export interface WorkerEndpoint extends EndpointCalls {
  /** How errors and reports name the worker ("worker 0", "thread 1", "10.0.0.2:7400"). */
  readonly name: string;
  /** The worker's own time on calls so far; the rest of a step it spent waiting (for peers, at barriers). */
  readonly busyMs: number;
  /** Bytes on the link between the coordinator and the worker so far, both ways; null where the transport does not count them (threads, this thread). */
  readonly controlBytes: number | null;
}

/**
 * An endpoint from one generic `call`: a method per name of `WORKER_CALLS` forwards to it
 * (installed once on the prototype below, so subclasses may override one, as the channel
 * endpoint does `close`).
 */
export abstract class TableEndpoint implements WorkerEndpoint {
  abstract readonly name: string;
  abstract readonly busyMs: number;
  abstract readonly controlBytes: number | null;
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

/** A worker in this thread: calls go straight to its node, whose compute time is the busy time. */
export class InProcessEndpoint extends TableEndpoint {
  readonly controlBytes = null;

  constructor(
    private readonly node: WorkerNode,
    readonly name = `worker ${node.runtime.plan.worker}`,
  ) {
    super();
  }

  get busyMs(): number {
    return this.node.computeMs;
  }

  call<M extends WorkerCall>(method: M, ...args: CallArgs<M>): Promise<CallResult<M>> {
    return callNode(this.node, method, args);
  }
}
