/**
 * What both engines' coordinators share: the program's aggregators combined over workers, the
 * context `converged` reads, message routing, and the start of a run before step 0.
 */
import type { WorkerEndpoint } from './endpoint.js';
import { aggregateLayout } from './aggregates.js';
import type { AggregateValues, AnyVertexProgram, ProgramContext } from './program.js';
import type { GraphFacts, Message } from './worker-runtime.js';

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

/** outboxes[from][to] → inboxes[to][from]. */
export function transpose(outboxes: readonly (readonly Message[])[]): Message[][] {
  return outboxes.map((_, to) => outboxes.map((outbox) => outbox[to] ?? null));
}

/**
 * Before step 0: neighbour sets if the program asks for them (local lists → masters merge →
 * union back to mirrors), initial state and aggregates on every replica, and the first
 * activation. Returns the first aggregates and each worker's activation.
 */
export async function startRun(
  workers: readonly WorkerEndpoint[],
  program: AnyVertexProgram,
  combine: (partials: readonly number[][]) => Map<string, number | Float64Array>,
): Promise<{ aggregates: Map<string, number | Float64Array>; activated: { outbox: Message[]; activeMasters: number }[] }> {
  if (program.needsNeighborSets) {
    const toMasters = transpose(await Promise.all(workers.map((w) => w.neighborsToMasters())));
    const toMirrors = transpose(await Promise.all(workers.map((w, i) => w.neighborsFromMirrors(toMasters[i]!))));
    await Promise.all(workers.map((w, i) => w.neighborsInstall(toMirrors[i]!)));
  }
  const aggregates = combine(await Promise.all(workers.map((w) => w.init())));
  await Promise.all(workers.map((w) => w.setAggregates(aggregates)));
  const activated = await Promise.all(workers.map((w) => w.activate([], 0)));
  return { aggregates, activated };
}
