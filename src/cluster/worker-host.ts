/**
 * The worker side of the protocol: owns one job's `WorkerRuntime` and answers the coordinator's
 * requests with it. Thread workers and remote worker processes both run this; only the channel
 * that carries requests and responses differs.
 */
import { buildExchangePlan } from '../engine/exchange-plan.js';
import { buildLocalGraph } from '../engine/local-graph.js';
import { shardDegrees, shardRouting, type WorkerShard } from '../engine/shard.js';
import { callRuntime, isWorkerCall, type CallArgs } from '../engine/worker-calls.js';
import { WorkerRuntime } from '../engine/worker-runtime.js';
import { GasError } from '../errors.js';
import { createProgram } from './program-spec.js';
import type { Method, Request, Response, SetupResult, WorkerSetup } from './protocol.js';
import { ShardCache } from './shard-cache.js';

export class WorkerHost {
  private runtime: WorkerRuntime | null = null;
  private slowdown = 1;

  private readonly cache: ShardCache | null;

  /** `scratchDir`: where shipped program files and cached shards are written (remote workers' `--data-dir`). */
  constructor(private readonly scratchDir: string | null) {
    this.cache = scratchDir ? new ShardCache(scratchDir) : null;
  }

  async handle(request: Request): Promise<Response> {
    const started = performance.now();
    try {
      const result = await this.dispatch(request.method, request.args);
      const busyMs = performance.now() - started;
      if (this.slowdown > 1 && request.method !== 'setup' && request.method !== 'collect') sleep((this.slowdown - 1) * busyMs);
      return { id: request.id, ok: true, result, busyMs: performance.now() - started };
    } catch (error) {
      const gas = error instanceof GasError ? error : null;
      return {
        id: request.id,
        ok: false,
        error: {
          code: gas?.code ?? 'GAS_ERR_PROGRAM',
          message: error instanceof Error ? error.message : String(error),
          details: gas ? { ...gas.details } : { method: request.method },
        },
      };
    }
  }

  /**
   * `setup`, `hasShard` and `close` concern the host (its cache, its runtime); every other call
   * of the table goes to the runtime's handler (engine/worker-calls.ts).
   */
  private async dispatch(method: Method, args: unknown[]): Promise<unknown> {
    if (method === 'setup') return this.setup(args[0] as WorkerSetup);
    if (method === 'hasShard') return this.cache !== null && this.cache.has(args[0] as string);
    if (method === 'close') {
      this.runtime = null;
      return null;
    }
    const runtime = this.runtime;
    if (!runtime) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: "${method}" before setup`);
    if (!isWorkerCall(method)) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: unknown method "${String(method)}"`);
    // The arguments came over a channel: the table types them, nothing here can check them.
    return callRuntime(runtime, method, args as CallArgs<typeof method>);
  }

  private async setup(setup: WorkerSetup): Promise<SetupResult> {
    const started = performance.now();
    const program = await createProgram(setup.spec, this.scratchDir);
    const shard = this.shardOf(setup);
    const graph = buildLocalGraph(shard.partitions);
    const plan = buildExchangePlan(graph, shardRouting(shard), shard.worker, shard.numWorkers);
    this.runtime = new WorkerRuntime(graph, plan, program, shardDegrees(shard, graph), setup.facts, { sharedMessages: setup.sharedMessages });
    this.slowdown = setup.slowdown;
    return { vertices: graph.numVertices, edges: graph.numEdges, loadMs: performance.now() - started };
  }

  private shardOf(setup: WorkerSetup): WorkerShard {
    if (setup.shard) {
      if (this.cache && setup.shardKey) this.cache.store(setup.shardKey, setup.shard);
      return setup.shard;
    }
    if (!this.cache || !setup.shardKey) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: setup without a shard, and no cache to take it from');
    return this.cache.load(setup.shardKey);
  }
}

/** Blocks this thread (workers only: the coordinator's thread never sleeps). */
function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
