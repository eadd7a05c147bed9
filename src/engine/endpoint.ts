/**
 * The coordinator's handle on a worker. The synchronous engine drives every worker through
 * these calls and carries their messages; where the worker lives — this thread, a worker
 * thread, another process — is the endpoint's business, not the engine's.
 */
import type { TypedColumn } from '../storage/columns.js';
import { vertexColumnWidth } from './state.js';
import type { AggregateValues, ColumnDeclarations } from './program.js';
import type { Mailbox, Message, WorkerRuntime } from './worker-runtime.js';

export interface WorkerEndpoint {
  /** How errors and reports name the worker ("worker 0", "thread 1", "10.0.0.2:7400"). */
  readonly name: string;
  /** The worker's own time on calls so far; the rest of a step it spent waiting. */
  readonly busyMs: number;
  init(): Promise<number[]>;
  setAggregates(aggregates: AggregateValues): Promise<void>;
  activate(inbox: Mailbox, iteration: number): Promise<{ outbox: Message[]; activeMasters: number }>;
  gather(inbox: Mailbox, iteration: number): Promise<Message[]>;
  apply(inbox: Mailbox): Promise<{ outbox: Message[]; aggregates: number[] }>;
  scatter(inbox: Mailbox, aggregates: AggregateValues): Promise<Message[]>;
  /** Neighbour-set construction (see neighbor-sets.ts), three exchanges before step 0. */
  neighborsToMasters(): Promise<Message[]>;
  neighborsFromMirrors(inbox: Mailbox): Promise<Message[]>;
  neighborsInstall(inbox: Mailbox): Promise<void>;
  /** The master replicas' values of a vertex column: global ids and `width` values each. */
  collect(column: string): Promise<{ gids: Uint32Array; values: Float64Array; width: number }>;
  close(): Promise<void>;
}

/** A worker in this thread: calls go straight to its runtime. */
export class InProcessEndpoint implements WorkerEndpoint {
  busyMs = 0;

  constructor(
    private readonly runtime: WorkerRuntime,
    readonly name = `worker ${runtime.plan.worker}`,
  ) {}

  async init(): Promise<number[]> {
    return this.timed(() => this.runtime.init());
  }

  async setAggregates(aggregates: AggregateValues): Promise<void> {
    this.runtime.setAggregates(aggregates);
  }

  async activate(inbox: Mailbox, iteration: number): Promise<{ outbox: Message[]; activeMasters: number }> {
    return this.timed(() => this.runtime.activate(inbox, iteration));
  }

  async gather(inbox: Mailbox, iteration: number): Promise<Message[]> {
    return this.timed(() => this.runtime.gather(inbox, iteration));
  }

  async apply(inbox: Mailbox): Promise<{ outbox: Message[]; aggregates: number[] }> {
    return this.timed(() => this.runtime.apply(inbox));
  }

  async scatter(inbox: Mailbox, aggregates: AggregateValues): Promise<Message[]> {
    return this.timed(() => this.runtime.scatter(inbox, aggregates));
  }

  private timed<T>(call: () => T): T {
    const started = performance.now();
    try {
      return call();
    } finally {
      this.busyMs += performance.now() - started;
    }
  }

  async neighborsToMasters(): Promise<Message[]> {
    return this.runtime.neighborsToMasters();
  }

  async neighborsFromMirrors(inbox: Mailbox): Promise<Message[]> {
    return this.runtime.neighborsFromMirrors(inbox);
  }

  async neighborsInstall(inbox: Mailbox): Promise<void> {
    this.runtime.neighborsInstall(inbox);
  }

  async collect(column: string): Promise<{ gids: Uint32Array; values: Float64Array; width: number }> {
    return collectMasters(this.runtime, column);
  }

  async close(): Promise<void> {}
}

export function collectMasters(runtime: WorkerRuntime, column: string): { gids: Uint32Array; values: Float64Array; width: number } {
  const declaration = (runtime.program.vertexColumns as ColumnDeclarations)[column];
  if (declaration === undefined) throw new Error(`program ${runtime.program.name}: no vertex column "${column}"`);
  const width = vertexColumnWidth(declaration);
  const { plan, graph, state } = runtime;
  const gids = new Uint32Array(plan.numMasters);
  const values = new Float64Array(plan.numMasters * width);
  const source = state[column] as TypedColumn;
  let at = 0;
  for (let v = 0; v < graph.numVertices; v++) {
    if (plan.isMaster[v] === 0) continue;
    gids[at] = graph.gid[v]!;
    for (let k = 0; k < width; k++) values[at * width + k] = source[v * width + k]!;
    at++;
  }
  return { gids, values, width };
}
