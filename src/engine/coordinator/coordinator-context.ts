/**
 * What both engines' coordinators share: the program's aggregators combined over workers, the
 * context `converged` reads, the start of a run before step 0, and the traffic ledger.
 */
import type { WorkerEndpoint } from './endpoint.js';
import { aggregateLayout } from '../worker/aggregates.js';
import type { AggregateValues, AnyVertexProgram, ProgramContext } from '../program/program.js';
import type { StepTraffic } from './engine.js';
import type { GraphFacts } from '../worker/worker-runtime.js';
import type { SentTraffic } from '../worker/worker-node.js';

export type CoordinatorContext = ProgramContext & { iteration: number; aggregates: AggregateValues };

export function coordinatorContext(program: AnyVertexProgram, facts: GraphFacts): CoordinatorContext {
  return {
    ...facts,
    iteration: 0,
    aggregates: new Map<string, number | Float64Array>(),
    globalId: () => {
      throw new Error(`program ${program.name}: globalId() is not available in converged()`);
    },
    signal: () => {
      throw new Error(`program ${program.name}: signal() is not available in converged()`);
    },
    aggregate(name) {
      const value = this.aggregates.get(name);
      if (typeof value !== 'number') throw new Error(`program ${program.name}: no scalar aggregator named "${name}"`);
      return value;
    },
    aggregateVector(name) {
      const value = this.aggregates.get(name);
      if (!(value instanceof Float64Array)) throw new Error(`program ${program.name}: no vector aggregator named "${name}"`);
      return value;
    },
  };
}

/**
 * Combines the workers' aggregator partials (one flat array per worker, laid out by
 * `aggregateLayout`) and finalizes them: scalars through their monoid, vectors element-wise.
 */
export function aggregateCombiner(
  program: AnyVertexProgram,
  context: CoordinatorContext,
): (partials: readonly number[][]) => Map<string, number | Float64Array> {
  const { slots } = aggregateLayout(program);
  return (partials) => {
    const values = new Map<string, number | Float64Array>();
    for (const { name, offset, width } of slots) {
      const aggregator = program.aggregators![name]!;
      if (aggregator.width !== undefined) {
        const vector = new Float64Array(width);
        for (const worker of partials) for (let i = 0; i < width; i++) vector[i]! += worker[offset + i]!;
        values.set(name, vector);
        continue;
      }
      let value = aggregator.zero;
      for (const worker of partials) value = aggregator.sum(value, worker[offset]!);
      values.set(name, aggregator.finalize ? aggregator.finalize(value, context) : value);
    }
    return values;
  };
}

/**
 * Before step 0: neighbour sets if the program asks for them and initial state (the workers
 * exchange on the mesh), the first aggregates combined here, and the first activation. Returns
 * the first aggregates and the number of active vertices.
 */
export async function startRun(
  workers: readonly WorkerEndpoint[],
  combine: (partials: readonly number[][]) => Map<string, number | Float64Array>,
): Promise<{ aggregates: Map<string, number | Float64Array>; activeVertices: number }> {
  const aggregates = combine(await Promise.all(workers.map((w) => w.start())));
  const activated = await Promise.all(workers.map((w) => w.activate(aggregates)));
  return { aggregates, activeVertices: activated.reduce((sum, a) => sum + a.activeMasters, 0) };
}

/**
 * Counts each step's traffic as the engine's calls return: what every worker sent every peer
 * (from the calls' results) and the bytes on each worker's coordinator link around its calls
 * (exact per link, even while calls to other workers overlap, as they do under SSP).
 */
export class TrafficLedger {
  private readonly steps: { peerBytes: number[][]; peerMessages: number[][]; controlMessages: number; controlBytes: number | null }[] = [];

  constructor(private readonly workers: readonly WorkerEndpoint[]) {}

  /** Runs `call` on worker `w` for step `step`, recording its coordinator-link bytes and what it reports sending. */
  async record<R extends { sent?: SentTraffic }>(step: number, w: number, call: (endpoint: WorkerEndpoint) => Promise<R>): Promise<R> {
    const endpoint = this.workers[w]!;
    const before = endpoint.controlBytes;
    const result = await call(endpoint);
    const entry = this.entry(step);
    entry.controlMessages += 2;
    const after = endpoint.controlBytes;
    entry.controlBytes = before === null || after === null || entry.controlBytes === null ? null : entry.controlBytes + after - before;
    if (result.sent) {
      for (let to = 0; to < this.workers.length; to++) {
        entry.peerBytes[w]![to]! += result.sent.bytes[to] ?? 0;
        entry.peerMessages[w]![to]! += result.sent.messages[to] ?? 0;
      }
    }
    return result;
  }

  /** The step's traffic, with its totals over all links. */
  report(step: number): StepTraffic & { messages: number; bytes: number } {
    const entry = this.entry(step);
    const total = (grid: number[][]): number => grid.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
    return { ...entry, messages: total(entry.peerMessages), bytes: total(entry.peerBytes) };
  }

  private entry(step: number): TrafficLedger['steps'][number] {
    const W = this.workers.length;
    const grid = (): number[][] => Array.from({ length: W }, () => new Array<number>(W).fill(0));
    return (this.steps[step] ??= {
      peerBytes: grid(),
      peerMessages: grid(),
      controlMessages: 0,
      controlBytes: this.workers.every((w) => w.controlBytes !== null) ? 0 : null,
    });
  }
}
